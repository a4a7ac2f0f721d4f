import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ensureDatabase, migrateToLatest } from '../../app/db/migrate.js';
import { createLogger } from '../../app/platform/log.js';
import type { ArticleBody } from '../helpers/realworld.js';
import {
  createArticle,
  dropDatabase,
  MYSQL_SERVER_URL,
  registerUser,
  startTestService,
  uniqueDatabaseName,
  type TestService,
} from '../helpers/service.js';

describe('cache namespace when replicas start before the migration', { timeout: 60_000 }, () => {
  const databaseName = uniqueDatabaseName();
  const databaseUrl = `${MYSQL_SERVER_URL}/${databaseName}`;
  const started: TestService[] = [];
  after(async () => {
    for (const t of started) await t.stop();
    await dropDatabase(databaseName);
  });

  it('when one replica started before the schema existed, then a write through another replica is still seen by it', async () => {
    await ensureDatabase(databaseUrl);
    // Started against an empty database, as a pod that comes up before the migration Job.
    const early = await startTestService({ DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'false' });
    started.push(early);
    await migrateToLatest(databaseUrl, createLogger('silent'));
    const late = await startTestService({ DATABASE_URL: databaseUrl });
    started.push(late);

    const author = await registerUser(late);
    const article = await createArticle(late, author.token, { body: 'first body' });
    const read = (t: TestService) => t.api<ArticleBody>('GET', `/api/articles/${article.slug}`);
    for (let i = 0; i < 2; i += 1) {
      const first = await read(early);
      assert.equal(first.status, 200);
      assert.equal(first.body.article.body, 'first body');
    }
    const put = await late.api('PUT', `/api/articles/${article.slug}`, {
      token: author.token,
      body: { article: { body: 'second body' } },
    });
    assert.equal(put.status, 200);
    const after = await read(early);
    assert.equal(after.body.article.body, 'second body', 'the early replica served a body older than an acknowledged write');
    assert.equal((await read(late)).body.article.body, 'second body');
  });
});
