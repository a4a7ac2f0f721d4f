import type { ShedReason } from './errors.js';

/**
 * The one place that reads MySQL/MariaDB errors (mysql2 puts `code` and `errno` on them). Callers
 * ask what an error means; none of them compares codes itself.
 */

interface MysqlErrorFields {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  fatal?: unknown;
}

function fields(err: unknown): MysqlErrorFields {
  return typeof err === 'object' && err !== null ? err : {};
}

/** ER_DUP_ENTRY: a unique key was violated, optionally a named one. */
export function isDuplicateKey(err: unknown, keyName?: string): boolean {
  const e = fields(err);
  if (e.code !== 'ER_DUP_ENTRY') return false;
  return keyName === undefined || (typeof e.message === 'string' && e.message.includes(keyName));
}

/** ER_NO_REFERENCED_ROW_2 (1452): a foreign key names a row that no longer exists. */
export function isMissingReference(err: unknown): boolean {
  return fields(err).errno === 1452;
}

/** ER_LOCK_DEADLOCK (1213): InnoDB rolled this transaction back whole; it can be run again. */
export function isDeadlock(err: unknown): boolean {
  return fields(err).errno === 1213;
}

/**
 * 1969: MariaDB max_statement_time exceeded; 3024: MySQL max_execution_time exceeded; 1205:
 * lock wait timeout. All three mean the statement ran into its deadline.
 */
const STATEMENT_TIMEOUT_ERRNOS = new Set([1969, 3024, 1205]);

/**
 * The database is gone, going, or refuses connections: nothing a retry within this request fixes.
 * 1053: server shutdown in progress; 1927: connection killed (MariaDB, at shutdown); 1040: too
 * many connections; the E* codes are the socket's; the PROTOCOL_* ones mysql2's when the
 * connection ends under a statement.
 */
const UNAVAILABLE_ERRNOS = new Set([1053, 1927, 1040]);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

/** mysql2's own deadline for a statement (the pool's clientTimeoutMs) passed. */
export function isClientTimeout(err: unknown): boolean {
  return fields(err).code === 'PROTOCOL_SEQUENCE_TIMEOUT';
}

/**
 * The shed reason for a database failure that is the server's condition rather than a bug
 * (answered 503 with Retry-After), or undefined for anything else.
 */
export function databaseShedReason(err: unknown): ShedReason | undefined {
  const e = fields(err);
  if (typeof e.errno === 'number' && STATEMENT_TIMEOUT_ERRNOS.has(e.errno)) return 'db_statement_timeout';
  if (isClientTimeout(err)) return 'db_statement_timeout';
  if (isDeadlock(err)) return 'db_deadlock';
  if (typeof e.errno === 'number' && UNAVAILABLE_ERRNOS.has(e.errno)) return 'db_unavailable';
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return 'db_unavailable';
  // mysql2 marks errors that ended the connection fatal, whatever their code.
  if (e.fatal === true) return 'db_unavailable';
  return undefined;
}
