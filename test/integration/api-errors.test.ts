import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
    const res = await t.api('POST', '/api/articles', { token: u.token, body: { article: { title: 't', description: 'd', body: 'x'.repeat(4096) } } });
    assert.equal(res.status, 413);
    assert.deepEqual(res.body, { errors: { body: ['request body too large'] } });
    const list = await t.api('GET', `/api/articles?author=${u.username}`);
    assert.equal(list.body.articlesCount, 0);
  });

  it('when the path or method is unknown, then 404/405 JSON, never HTML', async () => {
    const missing = await t.api('GET', '/api/nothing-here');
    assert.equal(missing.status, 404);
    assert.ok(missing.body.errors);
    assert.match(missing.headers.get('content-type') ?? '', /application\/json/);
    const method = await t.api('PATCH', '/api/tags');
    assert.equal(method.status, 405);
    assert.ok(method.body.errors);
  });

  it('when the body is not an object or not JSON at all, then 422 names the envelope', async () => {
    const res = await t.api('POST', '/api/users', { raw: '[1,2]' });
    assert.equal(res.status, 422);
    const text = await t.api('POST', '/api/users', { raw: 'hello', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(text.status, 422);
    assert.ok(text.body.errors.user);
  });

  it('when a request id is sent, then it is echoed; otherwise one is made', async () => {
    const echoed = await t.api('GET', '/api/tags', { headers: { 'X-Request-Id': 'abc-123' } });
    assert.equal(echoed.headers.get('x-request-id'), 'abc-123');
    const made = await t.api('GET', '/api/tags');
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('liveness and readiness answer JSON', async () => {
    assert.deepEqual((await t.api('GET', '/livez')).body, { status: 'ok' });
    assert.deepEqual((await t.api('GET', '/readyz')).body, { status: 'ready' });
  });
});
