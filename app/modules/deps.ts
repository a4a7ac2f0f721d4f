import type { Kysely } from 'kysely';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../platform/log.js';
import type { TagIds } from './tags/tag-ids.js';
import type { PasswordHasher } from './users/password.js';
import type { TokenService } from './users/tokens.js';

/** What the modules need, built once by the composition root (service.ts, or a test) and passed down. */
export interface AppDeps {
  readonly db: Kysely<Database>;
  readonly cache: Cache;
  readonly tokens: TokenService;
  readonly passwords: PasswordHasher;
  readonly log: Logger;
  /** Tag rows this process has read (tags/tag-ids.ts): per database, so per composition root. */
  readonly tagIds: TagIds;
}
