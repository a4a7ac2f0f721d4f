import type { Redis } from 'ioredis';

/**
 * Redis keys of one test database's cache namespace whose name ends with `suffix` (a glob). The
 * shared Redis serves other services and tests too, so a test only ever looks at its own namespace.
 */
export async function namespaceKeys(redis: Redis, databaseName: string, suffix: string): Promise<string[]> {
  return redis.keys(`blog:${databaseName}:*${suffix}`);
}

/** Drops every key of one test database's namespace: a cold cache, as after a Redis restart. */
export async function flushNamespace(redis: Redis, databaseName: string): Promise<void> {
  const keys = await namespaceKeys(redis, databaseName, '');
  if (keys.length > 0) await redis.del(...keys);
}
