import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { withOperation } from '../../platform/request-context.js';

/** Tags in use, most used first (the "popular tags" sidebar), capped so the answer stays small. */
export async function listTagsInUse(db: Kysely<Database>, max: number): Promise<string[]> {
  const rows = await withOperation('tags.list', () =>
    db
      .selectFrom('tags')
      .innerJoin('article_tags', 'article_tags.tag_id', 'tags.id')
      .select('tags.name')
      .groupBy(['tags.id', 'tags.name'])
      .orderBy((eb) => eb.fn.countAll(), 'desc')
      .orderBy('tags.name')
      .limit(max)
      .execute(),
  );
  return rows.map((r) => r.name);
}
