import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../helpers/service.js';
import { launchChromium, type Browser } from './chromium.js';
import { startFrontend } from './frontend-page.js';

/** What the page's runScenario records per call (test/browser/frontend-page.ts). */
interface Step {
  name: string;
  status?: number;
  body?: unknown;
  requestId?: string | null;
  error?: string;
}

/** The body of a step as the test expects it; the assertions check it. */
type Shaped<T> = Step & { body: T };

interface Errors {
  errors: Record<string, string[]>;
}
interface UserBody {
  user: { username: string; token: string; bio: string | null; image: string | null };
}
interface ArticleBody {
  article: { slug: string; tagList: string[]; favorited: boolean; favoritesCount: number; author: { username: string } };
}
interface PageBody {
  articles: { slug: string; author: { username: string; following: boolean } }[];
  articlesCount: number;
}

async function runScenario(browser: Browser, pageOrigin: string, apiRoot: string): Promise<Step[]> {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${pageOrigin}/`);
    return await page.evaluate(
      (api) => (window as unknown as { runScenario: (api: string) => Promise<Step[]> }).runScenario(api),
      apiRoot,
    );
  } finally {
    await page.close();
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('a RealWorld frontend on another origin, in headless Chromium', { timeout: 180_000 }, () => {
  let t: TestService;
  let browser: Browser;
  let frontend: { origin: string; server: Server };

  before(async () => {
    // The shipped defaults: local origins allowed, 10 sign-ups/logins and 60 writes per minute.
    t = await startTestService({ RATE_LIMIT_AUTH_PER_MINUTE: '10', RATE_LIMIT_WRITES_PER_MINUTE: '60' });
    frontend = await startFrontend();
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    await closeServer(frontend.server);
    await t.stop();
  });

  it('when the page registers, logs in, reads, posts, favorites, comments, follows and updates with fetch, then every call succeeds and error bodies are readable', async () => {
    const preflightsBefore = await t.metric('http_requests_total', { route: 'preflight', status: '204' });
    const steps = await runScenario(browser, frontend.origin, `${t.baseUrl}/api`);
    const step = <T>(name: string): Shaped<T> => {
      const found = steps.find((s) => s.name === name);
      assert.ok(found, `step ${name} ran`);
      assert.equal(found.error, undefined, `${name}: ${found.error ?? ''}`);
      return found as Shaped<T>;
    };
    const expected: Record<string, number> = {
      register: 201,
      'register another user': 201,
      'the other user posts': 201,
      'log in': 200,
      'global feed': 200,
      tags: 200,
      'articles by tag': 200,
      'post an article with tags': 201,
      favorite: 200,
      comment: 200,
      'read comments': 200,
      follow: 200,
      'your feed': 200,
      'update user': 200,
      '401: no token': 401,
      '404: no such article': 404,
      '422: invalid sign-up': 422,
    };
    assert.deepEqual(
      Object.fromEntries(steps.map((s) => [s.name, s.status ?? s.error])),
      expected,
      'status of every call as the page saw it',
    );
    for (const s of steps) assert.match(s.requestId ?? '', /\S/, `${s.name}: X-Request-Id is exposed to the page`);

    const registered = step<UserBody>('register').body.user;
    assert.deepEqual([registered.bio, registered.image], [null, null]);
    const byTag = step<PageBody>('articles by tag').body;
    assert.equal(byTag.articlesCount, 1);
    const posted = step<ArticleBody>('post an article with tags').body.article;
    assert.equal(posted.tagList.length, 2);
    assert.deepEqual(
      posted.tagList,
      [...posted.tagList].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })),
    );
    const favorited = step<ArticleBody>('favorite').body.article;
    assert.deepEqual([favorited.favorited, favorited.favoritesCount], [true, 1]);
    assert.equal(step<{ comments: unknown[] }>('read comments').body.comments.length, 1);
    assert.equal(step<{ profile: { following: boolean } }>('follow').body.profile.following, true);
    const feed = step<PageBody>('your feed').body;
    assert.equal(feed.articles.length, 1);
    assert.equal(feed.articles[0]?.slug, byTag.articles[0]?.slug);
    assert.equal(feed.articles[0]?.author.following, true);
    assert.equal(step<UserBody>('update user').body.user.bio, 'I read about dragons');
    assert.ok(step<Errors>('401: no token').body.errors.token);
    assert.deepEqual(step<Errors>('404: no such article').body.errors, { article: ['not found'] });
    const invalid = step<Errors>('422: invalid sign-up').body.errors;
    assert.ok(invalid.username && invalid.email && invalid.password, JSON.stringify(invalid));

    // Content-Type: application/json makes every call preflighted, GETs included.
    assert.ok((await t.metric('http_requests_total', { route: 'preflight', status: '204' })) >= preflightsBefore + 10);
  });
});

describe('the same frontend when the API does not allow its origin', { timeout: 180_000 }, () => {
  let t: TestService;
  let browser: Browser;
  let frontend: { origin: string; server: Server };

  before(async () => {
    // What a service without CORS answers: no Access-Control-* header at all.
    t = await startTestService({ CORS_ORIGINS: 'none' });
    frontend = await startFrontend();
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    await closeServer(frontend.server);
    await t.stop();
  });

  it('when the page calls the API, then the browser blocks the first call (fetch throws a TypeError) and the request never reaches a handler', async () => {
    // Metrics are per process, shared with the service of the test above: compare, do not count.
    const preflightsBefore = await t.metric('http_requests_total', { route: 'preflight' });
    const signUpsBefore = await t.metric('http_requests_total', { route: '/api/users' });
    const steps = await runScenario(browser, frontend.origin, `${t.baseUrl}/api`);
    assert.equal(steps.length, 1, JSON.stringify(steps));
    const [blocked] = steps;
    assert.ok(blocked);
    assert.equal(blocked.name, 'register');
    assert.match(blocked.error ?? '', /^TypeError: Failed to fetch/);
    // The browser asked (a preflight) and, refused, never sent the POST.
    assert.equal(await t.metric('http_requests_total', { route: 'preflight' }), preflightsBefore + 1);
    assert.equal(await t.metric('http_requests_total', { route: '/api/users' }), signUpsBefore);
  });
});
