/** True for MySQL/MariaDB ER_DUP_ENTRY (a unique key was violated), optionally on a named key. */
export function isDuplicateKey(err: unknown, keyName?: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code !== 'ER_DUP_ENTRY') return false;
  return keyName === undefined || (typeof e.message === 'string' && e.message.includes(keyName));
}

/** MySQL/MariaDB ER_NO_REFERENCED_ROW_2: a foreign key names a row that no longer exists. */
export function isMissingReference(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { errno?: unknown }).errno === 1452;
}

/** MySQL/MariaDB ER_LOCK_DEADLOCK: InnoDB rolled this transaction back whole; it can be run again. */
export function isDeadlock(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ER_LOCK_DEADLOCK';
}
