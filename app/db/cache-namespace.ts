import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The random id migration 0002 wrote for this incarnation of the database (a dropped and
 * re-created database reuses ids, so the cache must not find its predecessor's entries under the
 * same names). Undefined while it cannot be read: schema not migrated yet, or MySQL not reachable.
 */
export async function readCacheIncarnation(db: Kysely<Database>): Promise<string | undefined> {
  try {
    const result = await sql<{ incarnation: string }>`SELECT incarnation FROM cache_namespace WHERE id = 1`.execute(db);
    const incarnation = result.rows[0]?.incarnation;
    return typeof incarnation === 'string' && incarnation !== '' ? incarnation : undefined;
  } catch {
    return undefined;
  }
}
