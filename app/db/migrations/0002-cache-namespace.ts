import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/**
 * A random id for this incarnation of the database, written once. The cache puts it in every
 * Redis key name (app/cache/create-cache.ts): a dropped and re-created database (ids reused) never
 * meets its predecessor's entries, and every replica reads the same id, whenever it started.
 * Unlike a table's creation time it does not change on ALTER TABLE rebuilds or restores.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE cache_namespace (
      id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
      incarnation CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
    ) ENGINE=InnoDB`.execute(db);
  await sql`INSERT INTO cache_namespace (id, incarnation) VALUES (1, ${randomBytes(16).toString('hex')})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS cache_namespace`.execute(db);
}
