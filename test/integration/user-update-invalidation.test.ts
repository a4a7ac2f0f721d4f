import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kysely, MysqlDialect } from 'kysely';
import { NoCache, type CacheChange } from '../../app/cache/cache.js';
import { cacheKeys } from '../../app/cache/keys.js';
import { createRawPool } from '../../app/db/database.js';
import type { Database } from '../../app/db/schema.js';
import { updateCurrentUser } from '../../app/modules/users/user-service.js';
import { serviceDeps } from '../helpers/deps.js';
import { registerUser, startTestService, type TestService } from '../helpers/service.js';

describe('user update when the re-read fails', { timeout: 30_000 }, () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('when the re-read after a committed user update fails, then the profile and both names were already invalidated', async () => {
    const user = await registerUser(t);
    const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool: createRawPool(t.databaseUrl, 2) }) });
    try {
      const { id } = await db.selectFrom('users').select('id').where('username', '=', user.username).executeTakeFirstOrThrow();
      let updated = false;
      // Every statement after the UPDATE fails, as a re-read shed by a saturated pool would.
      const failingAfterUpdate = db.withPlugin({
        transformQuery(args) {
          if (args.node.kind === 'UpdateQueryNode') updated = true;
          else if (updated) throw new Error('re-read shed');
          return args.node;
        },
        transformResult: (args) => Promise.resolve(args.result),
      });
      const invalidated: string[] = [];
      const cache = new NoCache();
      cache.afterWrite = (change: CacheChange) => {
        invalidated.push(...(change.invalidate ?? []));
        return Promise.resolve();
      };
      const renamed = `${user.username}x`;
      await assert.rejects(
        updateCurrentUser(serviceDeps(failingAfterUpdate, cache), id, 'token', { username: renamed }),
        /re-read shed/,
      );
      assert.deepEqual(
        invalidated.sort(),
        [cacheKeys.profile(id), cacheKeys.userId(user.username), cacheKeys.userId(renamed)].sort(),
      );
    } finally {
      await db.destroy();
    }
  });
});
