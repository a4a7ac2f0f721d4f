import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPool } from 'mysql2/promise';
import type { ArticleBody, ArticlePage } from '../helpers/realworld.js';
import { MYSQL_SERVER_URL, registerUser, startTestService, type RegisteredUser, type TestService } from '../helpers/service.js';

async function innodbDeadlocks(): Promise<number> {
  const pool = createPool({ uri: MYSQL_SERVER_URL, connectionLimit: 1 });
  try {
    const [rows] = await pool.query("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'");
    return Number((rows as { Value: string }[])[0]?.Value ?? 0);
  } finally {
    await pool.end();
  }
}

/**
 * The benchmark saw concurrent posts deadlock in InnoDB (a DELETE of a new article's nonexistent
 * tag rows took a gap lock that every concurrent post then waited on). Posts sharing brand-new
 * tags, many at once, must all succeed, with the tags right.
 */
describe('concurrent article creation', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('when 10 users post at once, five rounds, with shared new tags, then every post is 201, tagged right, without deadlocks', async () => {
    // One after another: ten sign-ups at once can be shed with 503 auth_busy (password hashing is
    // bounded on purpose) on a busy machine, and sign-ups are not what this test is about.
    const users: RegisteredUser[] = [];
    for (let i = 0; i < 10; i += 1) users.push(await registerUser(t));
    const deadlocksBefore = await innodbDeadlocks();
    for (let round = 0; round < 5; round += 1) {
      const results = await Promise.all(
        users.map((u, i) =>
          t.api<ArticleBody>('POST', '/api/articles', {
            token: u.token,
            body: {
              article: {
                title: `Round ${round} post ${i}`,
                description: 'd',
                body: 'b',
                tagList: [`shared${round}`, `zeta${round}`, `alpha${round}`, `own${round}-${i}`],
              },
            },
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        Array<number>(10).fill(201),
        results.map((r) => r.text).join('\n'),
      );
      for (const [i, r] of results.entries()) {
        assert.deepEqual(r.body.article.tagList, [`alpha${round}`, `own${round}-${i}`, `shared${round}`, `zeta${round}`]);
      }
      const byTag = await t.api<ArticlePage>('GET', `/api/articles?tag=shared${round}&limit=100`);
      assert.equal(byTag.body.articlesCount, 10);
    }
    const deadlocks = (await innodbDeadlocks()) - deadlocksBefore;
    console.log(`InnoDB deadlocks during 50 concurrent posts: ${deadlocks}`);
    // Retries hide deadlocks from clients, but each one costs a rolled-back transaction; the old
    // code caused ~70 here. The counter is server-wide, so allow a little noise from elsewhere.
    assert.ok(deadlocks <= 2, `InnoDB deadlocks: ${deadlocks}`);
  });
});
