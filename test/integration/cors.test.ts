import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { openApiSpec } from '../../app/http/openapi-operations.js';
import { commandsBetween, startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { registerUser, startTestService, type TestService } from '../helpers/service.js';

const FRONTEND = 'http://localhost:5173';

interface ErrorBody {
  errors: Record<string, string[]>;
}

/** Every route of the API with its parameters filled in, as a browser would call it. */
function everyRoute(): { method: string; path: string }[] {
  return openApiSpec('test').operations.map((op) => ({
    method: op.method.toUpperCase(),
    path: op.route.replace(':username', 'someone').replace(':slug', 'some-article').replace(':id', '1'),
  }));
}

function preflight(t: TestService, path: string, method: string, origin = FRONTEND) {
  return t.api('OPTIONS', path, {
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'authorization,content-type',
    },
  });
}

function assertCorsHeaders(headers: Headers, what: string): void {
  assert.equal(headers.get('access-control-allow-origin'), FRONTEND, `${what}: Access-Control-Allow-Origin`);
  assert.match(headers.get('vary') ?? '', /\bOrigin\b/, `${what}: Vary`);
  assert.equal(headers.get('access-control-allow-credentials'), null, `${what}: never credentials`);
}

describe('CORS for browser frontends on other origins', () => {
  let t: TestService;
  let redis: PrivateRedis;

  before(async () => {
    // A Redis of its own, so that "no Redis command" can be counted exactly.
    redis = await startPrivateRedis();
    t = await startTestService({
      REDIS_URL: redis.url,
      BODY_LIMIT_BYTES: '1024',
      RATE_LIMIT_AUTH_PER_MINUTE: '2',
      RATE_LIMIT_WRITES_PER_MINUTE: '1000',
    });
    // Warm: the cache's namespace resolved and the limiter's script loaded before anything is counted.
    await registerUser(t);
    await t.api('GET', '/api/articles');
  });
  after(async () => {
    await t.stop();
    await redis.kill();
  });

  it('when a browser preflights every route, then each is answered 204 with the CORS headers, no SQL, no Redis and route="preflight"', async () => {
    const routes = everyRoute();
    const preflightsBefore = await t.metric('http_requests_total', { method: 'OPTIONS', route: 'preflight', status: '204' });
    const statementsBefore = await t.metric('http_request_db_queries_sum', { route: 'preflight' });
    const unmatchedBefore = await t.metric('http_requests_total', { route: 'unmatched' });
    const redisBefore = await redis.commandCalls();

    for (const { method, path } of routes) {
      const res = await preflight(t, path, method);
      assert.equal(res.status, 204, `${method} ${path}`);
      assert.equal(res.text, '');
      assertCorsHeaders(res.headers, `preflight ${method} ${path}`);
      assert.ok((res.headers.get('access-control-allow-methods') ?? '').split(',').includes(method), `${method} ${path} allowed`);
      assert.equal(res.headers.get('access-control-allow-headers'), 'Authorization,Content-Type');
      assert.equal(res.headers.get('access-control-max-age'), '600');
    }

    const redisAfter = await redis.commandCalls();
    assert.deepEqual(commandsBetween(redisBefore, redisAfter), {}, 'Redis commands issued by preflights');
    assert.equal(await t.metric('http_request_db_queries_sum', { route: 'preflight' }), statementsBefore, 'SQL by preflights');
    assert.equal(
      await t.metric('http_requests_total', { method: 'OPTIONS', route: 'preflight', status: '204' }),
      preflightsBefore + routes.length,
    );
    assert.equal(
      await t.metric('http_requests_total', { route: 'unmatched' }),
      unmatchedBefore,
      'preflights are not "unmatched"',
    );
  });

  it('when the request fails with 401, 404, 405, 413, 422 or 429, then the JSON error carries the CORS headers', async () => {
    const origin = { Origin: FRONTEND };
    const failures = [
      { expect: 401, res: await t.api<ErrorBody>('GET', '/api/user', { headers: origin }) },
      { expect: 404, res: await t.api<ErrorBody>('GET', '/api/articles/no-such-article', { headers: origin }) },
      { expect: 404, res: await t.api<ErrorBody>('GET', '/api/no-such-endpoint', { headers: origin }) },
      { expect: 405, res: await t.api<ErrorBody>('PATCH', '/api/user', { headers: origin }) },
      { expect: 413, res: await t.api<ErrorBody>('POST', '/api/articles', { headers: origin, body: { pad: 'x'.repeat(4096) } }) },
      { expect: 422, res: await t.api<ErrorBody>('POST', '/api/users', { headers: origin, body: {} }) },
    ];
    // The sign-up budget is 2 per minute here; the register in before() and the 422 above spent it.
    failures.push({ expect: 429, res: await t.api<ErrorBody>('POST', '/api/users/login', { headers: origin, body: {} }) });
    for (const { expect, res } of failures) {
      assert.equal(res.status, expect, res.text);
      assert.ok(res.body.errors, `${expect} has a JSON errors body`);
      assertCorsHeaders(res.headers, String(expect));
      assert.match(res.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
    }
  });

  it('when the origin is not allowed, then the preflight is still a bodiless 204 but carries no Access-Control-Allow-Origin', async () => {
    const refused = await preflight(t, '/api/articles', 'POST', 'https://evil.example');
    assert.equal(refused.status, 204);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    assert.equal(refused.headers.get('access-control-allow-methods'), null);
    const read = await t.api('GET', '/api/tags', { headers: { Origin: 'https://evil.example' } });
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('access-control-allow-origin'), null);
    // Not a browser (no Origin): no CORS headers are needed, none are sent.
    assert.equal((await t.api('GET', '/api/tags')).headers.get('access-control-allow-origin'), null);
  });
});

describe('CORS on answers the service sheds', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ REDIS_URL: '', DB_POOL_SIZE: '1', DB_ACQUIRE_TIMEOUT_MS: '300' });
  });
  after(() => t.stop());

  it('when the pool is saturated and a request is shed with 503, then the error carries the CORS headers and Retry-After is readable', async () => {
    const locker = await createConnection({ uri: t.databaseUrl });
    try {
      await locker.query('LOCK TABLES users WRITE');
      // Holds the only connection, waiting for the lock...
      const held = t.api('GET', '/api/profiles/someone', { headers: { Origin: FRONTEND } });
      await sleep(200);
      // ...so this one waits 300 ms for a connection, then is shed.
      const shed = await t.api<ErrorBody>('GET', '/api/tags', { headers: { Origin: FRONTEND } });
      await locker.query('UNLOCK TABLES');
      await held;
      assert.equal(shed.status, 503, shed.text);
      assert.ok(shed.body.errors);
      assert.ok(shed.headers.get('retry-after'));
      assertCorsHeaders(shed.headers, '503');
      assert.match(shed.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
    } finally {
      await locker.end();
    }
  });
});

describe('CORS in public-API mode (CORS_ORIGINS=*)', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ CORS_ORIGINS: '*', REDIS_URL: '' });
  });
  after(() => t.stop());

  it('when any origin calls, then it gets Access-Control-Allow-Origin: * and never credentials', async () => {
    const pre = await preflight(t, '/api/articles', 'POST', 'https://any.example');
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    const read = await t.api('GET', '/api/tags', { headers: { Origin: 'https://other.example' } });
    assert.equal(read.headers.get('access-control-allow-origin'), '*');
    assert.equal(read.headers.get('access-control-allow-credentials'), null);
  });
});
