import assert from 'node:assert/strict';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { spawnService, waitForReady, type ServiceProcess } from '../helpers/process.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { dropDatabase, MYSQL_SERVER_URL, startTestService, uniqueDatabaseName, type TestService } from '../helpers/service.js';

const PASSWORD = 'password123';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { errors?: Record<string, string[]>; user?: { token: string } };
  ms: number;
}

/** A POST with JSON from a chosen loopback source address (127.0.0.0/8 is all ours), timed. */
function post(baseUrl: string, path: string, body: unknown, options: { from?: string; headers?: Record<string, string> } = {}) {
  const payload = JSON.stringify(body);
  const url = new URL(path, baseUrl);
  const started = performance.now();
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: options.from,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
            body: (text ? JSON.parse(text) : {}) as Answer['body'],
            ms: performance.now() - started,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const login = (baseUrl: string, email: string, options: { from?: string; headers?: Record<string, string> } = {}) =>
  post(baseUrl, '/api/users/login', { user: { email, password: PASSWORD } }, options);

function register(baseUrl: string, name: string, options: { from?: string; headers?: Record<string, string> } = {}) {
  return post(baseUrl, '/api/users', { user: { username: name, email: `${name}@example.test`, password: PASSWORD } }, options);
}

const statuses = (answers: Answer[]) =>
  answers.reduce<Record<number, number>>((count, a) => ({ ...count, [a.status]: (count[a.status] ?? 0) + 1 }), {});

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

describe('per-client rate limits: a login flood behind a proxy', () => {
  let t: TestService;
  before(async () => {
    // A budget of 5: the logins let through are real password hashes, and the machine has 2 cores.
    t = await startTestService({
      TRUSTED_PROXY_COUNT: '1',
      RATE_LIMIT_AUTH_PER_MINUTE: '5',
      RATE_LIMIT_WRITES_PER_MINUTE: '1000',
    });
  });
  after(() => t.stop());

  it('when one client sends 50 parallel logins, then the excess gets 429 at once while a second client logs in every time', async (tc) => {
    // Registered from a third client, so that neither budget below is touched.
    for (const name of ['flooded', 'bystander']) {
      assert.equal((await register(t.baseUrl, name, { headers: { 'X-Forwarded-For': '198.51.100.99' } })).status, 201);
    }
    const shedBefore = await t.metric('http_requests_shed_total', { reason: 'rate_limited' });
    // What the Ingress would write: the client's claim first, the address it saw last.
    const flooder = { headers: { 'X-Forwarded-For': '6.6.6.6, 198.51.100.1' } };
    const bystander = { headers: { 'X-Forwarded-For': '198.51.100.2' } };
    const [flood, others] = await Promise.all([
      Promise.all(Array.from({ length: 50 }, () => login(t.baseUrl, 'flooded@example.test', flooder))),
      Promise.all(Array.from({ length: 3 }, () => login(t.baseUrl, 'bystander@example.test', bystander))),
    ]);

    assert.deepEqual(statuses(flood), { 200: 5, 429: 45 });
    assert.deepEqual(statuses(others), { 200: 3 });
    for (const refused of flood.filter((a) => a.status === 429)) {
      assert.match(refused.retryAfter ?? '', /^\d+$/);
      assert.ok(Number(refused.retryAfter) >= 1 && Number(refused.retryAfter) <= 60);
      assert.match(refused.body.errors?.rate?.[0] ?? '', /^too many requests, retry in \d+ s$/);
    }
    assert.equal(await t.metric('http_requests_shed_total', { reason: 'rate_limited' }), shedBefore + 45);

    const refusedMs = flood.filter((a) => a.status === 429).map((a) => a.ms);
    const allowedMs = flood.filter((a) => a.status === 200).map((a) => a.ms);
    tc.diagnostic(
      `429s: p50 ${quantile(refusedMs, 0.5).toFixed(1)} ms, max ${Math.max(...refusedMs).toFixed(1)} ms; ` +
        `the 5 logins let through: p50 ${quantile(allowedMs, 0.5).toFixed(1)} ms, max ${Math.max(...allowedMs).toFixed(1)} ms; ` +
        `second client: max ${Math.max(...others.map((a) => a.ms)).toFixed(1)} ms`,
    );
  });
});

describe('per-client rate limits: client identity without a proxy', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ RATE_LIMIT_AUTH_PER_MINUTE: '3', RATE_LIMIT_WRITES_PER_MINUTE: '1000' });
  });
  after(() => t.stop());

  it('when X-Forwarded-For is sent but no proxy is trusted, then it is ignored and the socket address is the client', async () => {
    const spoofing = (n: number) => ({ from: '127.0.0.2', headers: { 'X-Forwarded-For': `203.0.113.${n}` } });
    const first = [];
    for (let n = 1; n <= 4; n += 1) first.push((await login(t.baseUrl, 'nobody@example.test', spoofing(n))).status);
    assert.deepEqual(first, [401, 401, 401, 429]);
    // Another loopback address is another client, with a budget of its own.
    assert.equal((await login(t.baseUrl, 'nobody@example.test', { from: '127.0.0.3' })).status, 401);
  });

  it('when writes other than sign-ups and logins are sent, then they do not spend the sign-up budget', async () => {
    for (let n = 0; n < 5; n += 1) {
      assert.equal((await post(t.baseUrl, '/api/articles', {}, { from: '127.0.0.4' })).status, 401);
    }
    assert.equal((await login(t.baseUrl, 'nobody@example.test', { from: '127.0.0.4' })).status, 401);
  });
});

describe('per-client rate limits: the looser budget for all writes', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ RATE_LIMIT_AUTH_PER_MINUTE: '0', RATE_LIMIT_WRITES_PER_MINUTE: '5' });
  });
  after(() => t.stop());

  it('when a client sends more writes than its budget, then the rest are 429 and its reads still pass', async () => {
    const answers = [];
    for (let n = 0; n < 7; n += 1) answers.push((await post(t.baseUrl, '/api/articles', {}, { from: '127.0.0.5' })).status);
    assert.deepEqual(answers, [401, 401, 401, 401, 401, 429, 429]);
    assert.equal((await t.api('GET', '/api/tags')).status, 200);
  });
});

describe('per-client rate limits while Redis is down', () => {
  let t: TestService;
  let redis: PrivateRedis;
  before(async () => {
    redis = await startPrivateRedis();
    t = await startTestService({ REDIS_URL: redis.url, RATE_LIMIT_AUTH_PER_MINUTE: '4', RATE_LIMIT_WRITES_PER_MINUTE: '1000' });
  });
  after(async () => {
    await t.stop();
    await redis.kill();
  });

  it('when Redis is killed, then the limit still holds in this process (the in-memory insurance)', async () => {
    const from = { from: '127.0.0.6' };
    assert.equal((await login(t.baseUrl, 'nobody@example.test', from)).status, 401);
    assert.ok((await redis.commandCalls()).has('incrby'), 'the budget was kept in Redis while it was up');
    await redis.kill();
    const during = [];
    for (let n = 0; n < 6; n += 1) during.push((await login(t.baseUrl, 'nobody@example.test', from)).status);
    // The insurance starts counting when Redis goes: 4 more, then refused.
    assert.deepEqual(during, [401, 401, 401, 401, 429, 429]);
    // Another client still gets through.
    assert.equal((await login(t.baseUrl, 'nobody@example.test', { from: '127.0.0.7' })).status, 401);
  });
});

describe('per-client rate limits while Redis stops answering', () => {
  let t: TestService;
  let redis: PrivateRedis;
  before(async () => {
    redis = await startPrivateRedis();
    t = await startTestService({ REDIS_URL: redis.url, RATE_LIMIT_WRITES_PER_MINUTE: '1000' });
  });
  after(async () => {
    await t.stop();
    await redis.kill();
  });

  it('when Redis is stopped (SIGSTOP), then one write waits out the command timeout and the ones right after it are counted in memory at once', async () => {
    // A write without a token: the writes budget is taken, then 401, no password hashing.
    const write = () => post(t.baseUrl, '/api/articles', { article: {} }, { from: '127.0.0.8' });
    assert.equal((await write()).status, 401);
    assert.ok((await redis.commandCalls()).has('incrby'), 'the budget was kept in Redis while it answered');
    redis.pause();
    try {
      const during: Answer[] = [];
      for (let n = 0; n < 8; n += 1) during.push(await write());
      assert.deepEqual(statuses(during), { 401: 8 });
      // Waiting out the 250 ms timeout is a lower bound whatever the machine does; without the
      // fallback window every one of the eight does.
      const waited = during.filter((a) => a.ms >= 240).length;
      assert.ok(waited >= 1, 'the first write after the stop waited for Redis');
      assert.ok(
        waited <= 2,
        `${waited} of 8 writes waited for the stopped Redis: ${during.map((a) => Math.round(a.ms)).join(', ')} ms`,
      );
    } finally {
      redis.resume();
    }
  });
});

describe('per-client rate limits across replicas', { timeout: 120_000 }, () => {
  const databaseName = uniqueDatabaseName('blog_ratelimit');
  const services: ServiceProcess[] = [];
  let redis: PrivateRedis;

  before(async () => {
    redis = await startPrivateRedis();
    const env = {
      DATABASE_URL: `${MYSQL_SERVER_URL}/${databaseName}`,
      REDIS_URL: redis.url,
      JWT_SECRET: 'rate-limit-test-secret-0123456789',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_AUTH_PER_MINUTE: '6',
      RATE_LIMIT_WRITES_PER_MINUTE: '1000',
    };
    // One after the other: the first applies the migrations.
    for (let n = 0; n < 2; n += 1) {
      const service = await spawnService(env);
      services.push(service);
      await waitForReady(service.port, 60_000);
    }
  });
  after(async () => {
    for (const s of services) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
    await redis.kill();
    await dropDatabase(databaseName);
  });

  it('when two service processes share Redis, then one client has one budget across both', async () => {
    const [a, b] = services.map((s) => `http://127.0.0.1:${s.port}`);
    assert.ok(a && b);
    const answers = [];
    // Alternating between the replicas, as a load balancer would.
    for (let n = 0; n < 8; n += 1)
      answers.push((await login(n % 2 === 0 ? a : b, 'nobody@example.test', { from: '127.0.0.8' })).status);
    assert.deepEqual(answers, [401, 401, 401, 401, 401, 401, 429, 429]);
  });
});
