import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ArticlePage, ErrorBody } from '../helpers/realworld.js';
import { registerUser, startTestService, type TestService } from '../helpers/service.js';

describe('error answers are always JSON with the right status', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ BODY_LIMIT_BYTES: '2048' });
  });
  after(() => t.stop());

  it('when the JSON is malformed, then 400 JSON', async () => {
    const res = await t.api('POST', '/api/users', { raw: '{"user":' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { errors: { body: ['is not valid JSON'] } });
  });

  it('when the body is larger than the limit, then 413 JSON and nothing is stored', async () => {
    const u = await registerUser(t);
    const res = await t.api('POST', '/api/articles', {
      token: u.token,
      body: { article: { title: 't', description: 'd', body: 'x'.repeat(4096) } },
    });
    assert.equal(res.status, 413);
    assert.deepEqual(res.body, { errors: { body: ['request body too large'] } });
    const list = await t.api<ArticlePage>('GET', `/api/articles?author=${u.username}`);
    assert.equal(list.body.articlesCount, 0);
  });

  it('when the path or method is unknown, then 404/405 JSON, never HTML', async () => {
    const missing = await t.api<ErrorBody>('GET', '/api/nothing-here');
    assert.equal(missing.status, 404);
    assert.ok(missing.body.errors);
    assert.match(missing.headers.get('content-type') ?? '', /application\/json/);
    const method = await t.api<ErrorBody>('PATCH', '/api/tags');
    assert.equal(method.status, 405);
    assert.deepEqual(method.body.errors, { method: ['not allowed'] });
    assert.match(method.headers.get('allow') ?? '', /GET/, 'a 405 says which methods the path serves');
  });

  it('when the body is not an object or not JSON at all, then 422 names the envelope', async () => {
    const res = await t.api('POST', '/api/users', { raw: '[1,2]' });
    assert.equal(res.status, 422);
    const text = await t.api<ErrorBody>('POST', '/api/users', { raw: 'hello', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(text.status, 422);
    assert.ok(text.body.errors.user);
  });

  it('when a request id is sent, then it is echoed; otherwise one is made', async () => {
    const echoed = await t.api('GET', '/api/tags', { headers: { 'X-Request-Id': 'abc-123' } });
    assert.equal(echoed.headers.get('x-request-id'), 'abc-123');
    const made = await t.api('GET', '/api/tags');
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('when liveness and readiness are probed, then they answer JSON', async () => {
    assert.deepEqual((await t.api('GET', '/livez')).body, { status: 'ok' });
    assert.deepEqual((await t.api('GET', '/readyz')).body, { status: 'ready' });
  });
});

describe('route labels and odd requests', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('when router-level middleware rejects a request, then the metric still carries the route template', async () => {
    const before401 = await t.metric('http_requests_total', { route: '/api/user', status: '401' });
    const before400 = await t.metric('http_requests_total', { route: '/api/users', status: '400' });
    assert.equal((await t.api('GET', '/api/user', { headers: { Authorization: 'Token bad.token.here' } })).status, 401);
    assert.equal((await t.api('POST', '/api/users', { raw: '{"user":' })).status, 400);
    assert.equal(await t.metric('http_requests_total', { route: '/api/user', status: '401' }), before401 + 1);
    assert.equal(await t.metric('http_requests_total', { route: '/api/users', status: '400' }), before400 + 1);
    const text = await (await fetch(t.metricsUrl)).text();
    assert.ok(!text.includes('route="/api('), 'no router-internal regex as a route label');
  });

  it('when the feed is requested, then it is labelled /api/articles/feed, not the :slug route', async () => {
    const u = await registerUser(t);
    const before = await t.metric('http_requests_total', { route: '/api/articles/feed', status: '200' });
    assert.equal((await t.api('GET', '/api/articles/feed', { token: u.token })).status, 200);
    assert.equal(await t.metric('http_requests_total', { route: '/api/articles/feed', status: '200' }), before + 1);
  });

  it('when an unknown HTTP method or a body that does not decode arrives, then 405/400 JSON, not 500', async () => {
    const propfind = await t.api<ErrorBody>('PROPFIND', '/api/articles');
    assert.equal(propfind.status, 405);
    assert.ok(propfind.body.errors);
    const res = await fetch(`${t.baseUrl}/api/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'br' },
      body: 'definitely not brotli',
    });
    assert.equal(res.status, 400);
    assert.ok(((await res.json()) as { errors: unknown }).errors);
  });
});
