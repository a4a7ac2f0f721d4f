import { Kysely, Migrator, MysqlDialect, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../platform/log.js';
import { databaseShedReason } from '../platform/mysql-errors.js';
import { createRawPool, databaseName } from './database.js';
import * as initialSchema from './migrations/0001-initial-schema.js';
import * as cacheNamespace from './migrations/0002-cache-namespace.js';

/** Migrations are listed here, in order, so the compiled service needs no directory scanning. */
const migrations: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
  '0002-cache-namespace': cacheNamespace,
};

class StaticMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations);
  }
}

/** CREATE DATABASE IF NOT EXISTS, through a connection that names no database. */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const serverUrl = new URL(url);
  serverUrl.pathname = '/';
  const pool = createRawPool(serverUrl.toString(), 1);
  try {
    await pool.promise().query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await pool.promise().end();
  }
}

/**
 * The database does not answer yet: refused, reset or timed out (what the service sheds as
 * db_unavailable), or its host name does not resolve yet. Anything else (wrong password, no
 * privilege) will not fix itself by waiting.
 */
function notReachableYet(err: unknown): boolean {
  if (databaseShedReason(err) === 'db_unavailable') return true;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH';
}

/**
 * ensureDatabase, retried while the database is not reachable yet, for at most `waitMs` (a
 * database that starts together with the service: the chart's in-chart MySQL on install).
 */
export async function waitForDatabase(url: string, waitMs: number, log: Logger): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ensureDatabase(url);
      if (attempt > 1) log.info({ attempt }, 'database reachable');
      return;
    } catch (err) {
      const left = deadline - Date.now();
      if (!notReachableYet(err) || left <= 0) throw err;
      log.info({ attempt, waitLeftMs: left, code: (err as { code?: unknown }).code }, 'database not reachable yet; waiting');
      await sleep(Math.min(2000, 250 * attempt, left));
    }
  }
}

export interface MigrateOptions {
  /** Wait up to this long for the database to accept connections first (default 0: fail at once). */
  waitMs?: number;
}

/**
 * Creates the database when missing and applies every pending migration. Throws on failure.
 * Kysely's Migrator holds a database lock (GET_LOCK) while it migrates, so processes started
 * together (the chart's API pods) apply each migration once and the others find nothing to do.
 */
export async function migrateToLatest(url: string, log: Logger, options: MigrateOptions = {}): Promise<void> {
  if (options.waitMs) await waitForDatabase(url, options.waitMs, log);
  else await ensureDatabase(url);
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool: createRawPool(url, 1) }) });
  try {
    const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
    const result: MigrationResultSet = await migrator.migrateToLatest();
    for (const r of result.results ?? []) {
      log.info({ migration: r.migrationName, status: r.status }, 'migration');
    }
    if (result.error) throw result.error instanceof Error ? result.error : new Error('migration failed', { cause: result.error });
  } finally {
    await db.destroy();
  }
}

/** True when every known migration has been applied (part of /readyz). */
export async function migrationsApplied(db: Kysely<unknown>): Promise<boolean> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const all = await migrator.getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}
