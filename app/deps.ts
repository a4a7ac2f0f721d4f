import type { Kysely } from 'kysely';
import type { Cache } from './cache/cache.js';
import type { Database } from './db/schema.js';
import type { TokenService } from './http/auth.js';
import type { Logger } from './log.js';

/** What request handlers need, built once in main.ts (or by a test) and passed down explicitly. */
export interface AppDeps {
  readonly db: Kysely<Database>;
  readonly tokens: TokenService;
  readonly cache: Cache;
  readonly log: Logger;
}
