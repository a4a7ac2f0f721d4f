import type { Kysely } from 'kysely';
import type { Cache } from '../../app/cache/cache.js';
import type { Database } from '../../app/db/schema.js';
import type { AppDeps } from '../../app/modules/deps.js';
import type { PasswordHasher } from '../../app/modules/users/password.js';
import type { TokenService } from '../../app/modules/users/tokens.js';
import { TagIds } from '../../app/modules/tags/tag-ids.js';
import { createLogger } from '../../app/platform/log.js';

const unused = (what: string) => (): Promise<never> => Promise.reject(new Error(`${what} is not expected in this test`));

/**
 * AppDeps for calling a service function directly, with the `db` and `cache` a test controls
 * (a Kysely with a fault-injecting plugin, a NoCache that records changes). Tokens and passwords
 * reject if used: the services these tests call must not need them.
 */
export function serviceDeps(db: Kysely<Database>, cache: Cache): AppDeps {
  const tokens: TokenService = { sign: unused('tokens.sign'), verify: unused('tokens.verify') };
  const passwords: PasswordHasher = {
    hash: unused('passwords.hash'),
    verify: unused('passwords.verify'),
    dummyHash: unused('passwords.dummyHash'),
  };
  return { db, cache, tokens, passwords, log: createLogger('silent'), tagIds: new TagIds() };
}
