import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool as RawPool, type PoolConnection } from 'mysql2';
import type { Logger } from '../platform/log.js';
import { GatedPool } from './pool.js';
import type { Database } from './schema.js';

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  acquireTimeoutMs: number;
  queueLimit: number;
  statementTimeoutMs: number;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: GatedPool;
  close(): Promise<void>;
}

/** Database name from DATABASE_URL; restricted so it can be quoted safely in CREATE DATABASE. */
export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) {
    throw new Error('DATABASE_URL must name a database of letters, digits and underscores');
  }
  return name;
}

/**
 * mysql2 pool. `queueLimit` 0 means "unbounded" in mysql2: fine behind GatedPool, which never asks
 * for more than `connectionLimit` connections at once; other users pass a small bound.
 */
export function createRawPool(url: string, connectionLimit: number, queueLimit = 0): RawPool {
  return createPool({
    uri: url,
    connectionLimit,
    queueLimit,
    waitForConnections: true,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    // A database in the same cluster answers a connect in milliseconds; one that does not within 2 s
    // is gone (a deleted pod), and the request is better shed at once than held (mysql2 waits 10 s).
    connectTimeout: 2000,
    enableKeepAlive: true,
    dateStrings: false,
  });
}

/**
 * Every new connection gets a statement deadline, so a locked or stalled database answers with an
 * error (turned into 503) instead of holding the request and its connection forever.
 * MariaDB calls it max_statement_time (seconds), MySQL max_execution_time (ms, SELECT only).
 */
export function applySessionSettings(raw: RawPool, statementTimeoutMs: number, log: Logger): void {
  const seconds = statementTimeoutMs / 1000;
  const lockSeconds = Math.max(1, Math.ceil(seconds));
  raw.on('connection', (connection: PoolConnection) => {
    connection.query(
      `SET SESSION time_zone = '+00:00', SESSION lock_wait_timeout = ${lockSeconds}, ` +
        `SESSION innodb_lock_wait_timeout = ${lockSeconds}, SESSION max_statement_time = ${seconds}`,
      (err: unknown) => {
        if (!err) return;
        connection.query(
          `SET SESSION time_zone = '+00:00', SESSION lock_wait_timeout = ${lockSeconds}, ` +
            `SESSION innodb_lock_wait_timeout = ${lockSeconds}, SESSION max_execution_time = ${statementTimeoutMs}`,
          (fallbackErr: unknown) => {
            if (fallbackErr) log.warn({ err: fallbackErr }, 'could not set the statement deadline on a connection');
          },
        );
      },
    );
  });
}

export function createDatabase(options: DatabaseOptions, log: Logger): DatabaseHandle {
  const raw = createRawPool(options.url, options.poolSize);
  applySessionSettings(raw, options.statementTimeoutMs, log);
  const pool = new GatedPool(raw, {
    size: options.poolSize,
    acquireTimeoutMs: options.acquireTimeoutMs,
    queueLimit: options.queueLimit,
    clientTimeoutMs: options.statementTimeoutMs + 2000,
  });
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
  return { db, pool, close: () => db.destroy() };
}
