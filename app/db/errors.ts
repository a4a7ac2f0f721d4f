/** True for MySQL/MariaDB ER_DUP_ENTRY (a unique key was violated), optionally on a named key. */
export function isDuplicateKey(err: unknown, keyName?: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e?.code !== 'ER_DUP_ENTRY') return false;
  return keyName === undefined || (typeof e.message === 'string' && e.message.includes(keyName));
}
