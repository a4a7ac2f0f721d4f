import { Kysely, Migrator, MysqlDialect, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Logger } from '../platform/log.js';
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

/** Creates the database when missing and applies every pending migration. Throws on failure. */
export async function migrateToLatest(url: string, log: Logger): Promise<void> {
  await ensureDatabase(url);
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
