import { Kysely, MysqlDialect, sql } from 'kysely';
import type { Logger } from '../platform/log.js';
import { applySessionSettings, createRawPool } from './database.js';
import { migrationsApplied } from './migrate.js';

export interface ReadinessResult {
  ok: boolean;
  reason?: string;
}

export interface DatabaseReadiness {
  /** The database answers and every migration is applied, within CHECK_DEADLINE_MS. */
  check(): Promise<ReadinessResult>;
  close(): Promise<void>;
}

const CHECK_DEADLINE_MS = 2000;

/**
 * Readiness uses its own connection: a saturated request pool must not make every pod unready.
 * Its queue is short and its statements have the check's deadline, so a stalled database makes
 * probes fail fast instead of piling up.
 */
export function createDatabaseReadiness(url: string, log: Logger): DatabaseReadiness {
  const pool = createRawPool(url, 1, 4);
  applySessionSettings(pool, CHECK_DEADLINE_MS, log);
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) });
  // Migrations are never undone while the service runs: once applied, only the connection is checked.
  let schemaReady = false;

  const probe = async (): Promise<ReadinessResult> => {
    await sql`SELECT 1`.execute(db);
    schemaReady ||= await migrationsApplied(db);
    return schemaReady ? { ok: true } : { ok: false, reason: 'migrations pending' };
  };

  return {
    async check() {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<ReadinessResult>((resolve) => {
        timer = setTimeout(() => {
          resolve({ ok: false, reason: 'database check timed out' });
        }, CHECK_DEADLINE_MS);
      });
      try {
        return await Promise.race([probe(), deadline]);
      } catch {
        return { ok: false, reason: 'database unreachable' };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => db.destroy(),
  };
}
