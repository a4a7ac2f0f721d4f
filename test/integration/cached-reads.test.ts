import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { createApp } from '../../app/app.js';
import { withCachedReads, type RequestHandler } from '../../app/http/cached-reads.js';
import { allowedOrigins } from '../../app/http/cors-origins.js';
import type { CorsOptions } from '../../app/http/cors.js';
import type { AppDeps } from '../../app/modules/deps.js';
import { createLogger } from '../../app/platform/log.js';
import type { ArticlePage } from '../helpers/realworld.js';
import { namespaceKeys } from '../helpers/redis-keys.js';
import { commandsBetween, startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { createArticle, registerUser, startTestService, type TestService } from '../helpers/service.js';

const FRONTEND = 'http://localhost:5173';

/** Headers that differ between any two answers, whoever writes them. */
const PER_ANSWER = new Set(['date', 'x-request-id']);

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface LogLine {
  msg: string;
  requestId: string;
  method: string;
  route: string;
  status: number;
  dbStatements: number;
  ms: number;
}

async function get(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(baseUrl + path, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  const kept: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!PER_ANSWER.has(name)) kept[name] = value;
  });
  return { status: res.status, headers: kept, body };
}

function listen(handler: RequestHandler): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => void handler(req, res));
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
}

/**
 * Two servers over one running service's dependencies: "full" is Koa alone (every request through
 * the middleware chain), "fast" is Koa behind withCachedReads, as the service runs it. Both log into
 * `lines`; `koaCalls` counts the requests the fast server handed to Koa.
 */
describe('cached reads answered before Koa', () => {
  let t: TestService;
  let redis: PrivateRedis;
  let full: { server: Server; baseUrl: string };
  let fast: { server: Server; baseUrl: string };
  const lines: LogLine[] = [];
  let koaCalls = 0;
  let token: string;
  let slug: string;

  before(async () => {
    // A Redis of its own, so that the commands of one request can be counted exactly.
    redis = await startPrivateRedis();
    t = await startTestService({ CORS_ORIGINS: FRONTEND, REDIS_URL: redis.url });
    const log = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as LogLine);
          done();
        },
      }),
    );
    const deps: AppDeps = { ...t.service.deps, log };
    const cors: CorsOptions = { origins: allowedOrigins([FRONTEND]), maxAgeSeconds: 600 };
    const koa = createApp(deps, {
      bodyLimitBytes: 1024 * 1024,
      readiness: t.service.readiness,
      cors,
      rateLimits: { auth: undefined, writes: undefined, trustedProxyCount: 0 },
    }).callback();
    full = await listen(koa);
    fast = await listen(
      withCachedReads(deps, { log, cors }, (req, res) => {
        koaCalls += 1;
        return koa(req, res);
      }),
    );
    ({ token } = await registerUser(t));
    for (let i = 0; i < 3; i += 1) ({ slug } = await createArticle(t, token, { tagList: ['cached', `n${i}`] }));
  });
  after(async () => {
    full.server.close();
    fast.server.close();
    await t.stop();
    await redis.kill();
  });

  const reads = [
    '/api/articles',
    '/api/articles?limit=2&offset=1',
    '/api/articles?tag=cached&limit=20',
    () => `/api/articles/${slug}`,
  ];

  it('when a page is stored, then the fast path answers it without Koa, with the same status, headers and bytes as Koa', async () => {
    for (const read of reads) {
      const path = typeof read === 'string' ? read : read();
      const origins: Record<string, string>[] = [{}, { Origin: FRONTEND }, { Origin: 'https://elsewhere.example' }];
      for (const headers of origins) {
        const viaKoa = await get(full.baseUrl, path, headers);
        assert.equal(viaKoa.status, 200, path);
        const before = koaCalls;
        const viaFastPath = await get(fast.baseUrl, path, headers);
        assert.equal(koaCalls, before, `${path} ${JSON.stringify(headers)}: answered without Koa`);
        assert.deepEqual(viaFastPath, viaKoa, `${path} ${JSON.stringify(headers)}`);
      }
    }
  });

  it('when the fast path answers, then the request is counted and logged as Koa would, under the route template', async () => {
    const labels = { method: 'GET', route: '/api/articles/:slug', status: '200' };
    await get(full.baseUrl, `/api/articles/${slug}`);
    const countBefore = await t.metric('http_requests_total', labels);
    const durationsBefore = await t.metric('http_request_duration_seconds_count', labels);
    const statementsBefore = await t.metric('http_request_db_queries_count', { method: 'GET', route: labels.route });
    const hitsBefore = await t.metric('cache_page_lookups_total', { result: 'hit' });
    lines.length = 0;

    const before = koaCalls;
    const res = await fetch(`${fast.baseUrl}/api/articles/${slug}`, { headers: { 'X-Request-Id': 'trace-me.1' } });
    await res.arrayBuffer();
    assert.equal(koaCalls, before, 'answered without Koa');
    assert.equal(res.headers.get('x-request-id'), 'trace-me.1', 'a sane caller id is kept');

    assert.equal(await t.metric('http_requests_total', labels), countBefore + 1);
    assert.equal(await t.metric('http_request_duration_seconds_count', labels), durationsBefore + 1);
    assert.equal(await t.metric('http_request_db_queries_count', { method: 'GET', route: labels.route }), statementsBefore + 1);
    assert.equal(await t.metric('cache_page_lookups_total', { result: 'hit' }), hitsBefore + 1);
    assert.equal(lines.length, 1, 'one log line');
    const [line] = lines;
    assert.ok(line);
    assert.deepEqual(
      { msg: line.msg, requestId: line.requestId, method: line.method, route: line.route, status: line.status },
      { msg: 'request', requestId: 'trace-me.1', method: 'GET', route: '/api/articles/:slug', status: 200 },
    );
    assert.equal(line.dbStatements, 0);
    assert.equal(typeof line.ms, 'number');

    const made = await fetch(`${fast.baseUrl}/api/articles`, { headers: { 'X-Request-Id': 'not a valid id!' } });
    await made.arrayBuffer();
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'an unusable caller id is replaced');
  });

  it("when a signed-in reader's page and sets are stored, then the fast path answers with their flags, as Koa does", async () => {
    const viewer = await registerUser(t);
    // The followed author is shown twice on the page: each of their articles carries the flag.
    const { username } = await registerUser(t).then(async (author) => {
      await createArticle(t, author.token, { tagList: ['cached'] });
      await createArticle(t, author.token, { tagList: ['cached'] });
      return author;
    });
    const favorite = await createArticle(t, token, { tagList: ['cached'] });
    const auth = { Authorization: `Token ${viewer.token}` };
    assert.equal((await t.api('POST', `/api/articles/${favorite.slug}/favorite`, { token: viewer.token })).status, 200);
    assert.equal((await t.api('POST', `/api/profiles/${username}/follow`, { token: viewer.token })).status, 200);

    for (const path of ['/api/articles?tag=cached&limit=20', `/api/articles/${favorite.slug}`]) {
      const viaKoa = await get(full.baseUrl, path, auth);
      assert.equal(viaKoa.status, 200, path);
      const before = koaCalls;
      const viaFastPath = await get(fast.baseUrl, path, auth);
      assert.equal(koaCalls, before, `${path}: answered without Koa`);
      assert.deepEqual(viaFastPath, viaKoa, path);
    }
    const page = JSON.parse((await get(fast.baseUrl, '/api/articles?tag=cached&limit=20', auth)).body.toString()) as ArticlePage;
    assert.ok(
      page.articles.some((a) => a.slug === favorite.slug && a.favorited),
      'favorited is set',
    );
    const byFollowed = page.articles.filter((a) => a.author.username === username);
    assert.equal(byFollowed.length, 2);
    assert.ok(
      byFollowed.every((a) => a.author.following),
      'following is set on every article of the followed author',
    );
    assert.ok(
      page.articles.some((a) => !a.favorited && !a.author.following),
      'and only where it applies',
    );
  });

  it("when a signed-in reader's favorites are not in Redis, then Koa answers and loads them", async () => {
    const viewer = await registerUser(t);
    const viewerId = await t.service.deps.tokens.verify(viewer.token);
    const favorite = await createArticle(t, token, { tagList: ['cached'] });
    assert.equal((await t.api('POST', `/api/articles/${favorite.slug}/favorite`, { token: viewer.token })).status, 200);
    const path = '/api/articles?tag=cached&limit=20';
    const auth = { Authorization: `Token ${viewer.token}` };
    await get(fast.baseUrl, path, auth);
    const client = new Redis(redis.url);
    try {
      const keys = await namespaceKeys(client, t.databaseName, `idx:fav:${viewerId}`);
      assert.ok(keys.length > 0, 'the favorites index was in Redis');
      await client.del(...keys);
    } finally {
      client.disconnect();
    }
    const before = koaCalls;
    const res = await get(fast.baseUrl, path, auth);
    assert.equal(koaCalls, before + 1, 'Koa answered');
    const page = JSON.parse(res.body.toString()) as ArticlePage;
    assert.equal(page.articles.find((a) => a.slug === favorite.slug)?.favorited, true);
  });

  it('when a request is not stored, refused by the schema, not a plain read or its token is not valid, then Koa answers it', async () => {
    const cases: { path: string; init?: RequestInit; status: number }[] = [
      { path: '/api/articles?limit=2', init: { headers: { Authorization: 'Token not-a-jwt' } }, status: 401 },
      { path: '/api/articles?limit=2', init: { headers: { Authorization: 'Basic abc' } }, status: 401 },
      { path: '/api/articles/feed', status: 401 },
      { path: '/api/articles?limit=-1', status: 422 },
      { path: '/api/articles/no-such-article', status: 404 },
      { path: '/api/articles/%E0%A4%A', status: 404 },
      { path: '/api/articles?limit=2', init: { method: 'HEAD' }, status: 200 },
      { path: '/api/articles', init: { method: 'POST' }, status: 401 },
      { path: '/api/tags', status: 200 },
    ];
    for (const { path, init, status } of cases) {
      await fetch(fast.baseUrl + path, init).then((r) => r.arrayBuffer());
      const before = koaCalls;
      const res = await fetch(fast.baseUrl + path, init);
      await res.arrayBuffer();
      assert.equal(res.status, status, `${init?.method ?? 'GET'} ${path}`);
      assert.equal(koaCalls, before + 1, `${init?.method ?? 'GET'} ${path}: Koa answered`);
    }
  });

  it('when a page is not stored, then a read through the fast path costs the same Redis commands as through Koa alone', async () => {
    // Two authors with one article each: two pages of the same shape, neither stored yet.
    const pages: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const author = await registerUser(t);
      await createArticle(t, author.token, { tagList: ['cached'] });
      pages.push(`/api/articles?author=${author.username}&limit=5`);
    }
    const [viaKoa = '', viaFastPath = ''] = pages;
    // A third page stored first: the pages' hash exists (its first store also sets its expiry).
    await get(full.baseUrl, '/api/articles?limit=1');
    const measure = async (baseUrl: string, path: string) => {
      const before = await redis.commandCalls();
      const { status } = await get(baseUrl, path);
      assert.equal(status, 200, path);
      return commandsBetween(before, await redis.commandCalls());
    };
    const koaCommands = await measure(full.baseUrl, viaKoa);
    const callsBefore = koaCalls;
    const fastPathCommands = await measure(fast.baseUrl, viaFastPath);
    assert.equal(koaCalls, callsBefore + 1, 'Koa built it');
    // The fast path's lookup stands in for Koa's own: Koa then goes straight to the read that builds.
    assert.deepEqual(fastPathCommands, koaCommands);
  });

  it('when an article is written after a page was stored, then the next anonymous read through the fast path shows it', async () => {
    const path = '/api/articles?tag=cached&limit=20';
    await get(fast.baseUrl, path);
    const stored = await get(fast.baseUrl, path);
    const created = await createArticle(t, token, { tagList: ['cached'] });
    const afterWrite = await get(fast.baseUrl, path);
    const page = JSON.parse(afterWrite.body.toString()) as ArticlePage;
    assert.equal(page.articles[0]?.slug, created.slug, 'the new article leads the page');
    assert.equal(page.articlesCount, (JSON.parse(stored.body.toString()) as ArticlePage).articlesCount + 1);
  });
});
