import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createArticle, registerUser, startTestService, type TestService } from '../helpers/service.js';

/** The live /metrics text of a test service. */
async function metricsText(t: TestService): Promise<string> {
  return (await fetch(t.metricsUrl)).text();
}

/** The metric names, types and labels of ../shared/design.md: the chart's rules and dashboards query them. */
const CONTRACT: [name: string, type: string, labels: string[]][] = [
  ['http_requests_total', 'counter', ['method', 'route', 'status']],
  ['http_request_duration_seconds', 'histogram', ['method', 'route', 'status']],
  ['http_requests_in_flight', 'gauge', []],
  ['http_requests_shed_total', 'counter', ['reason']],
  // method added to design.md's route label: see README's metric table.
  ['http_request_db_queries', 'histogram', ['method', 'route']],
  ['redis_cache_hits_total', 'counter', ['cache']],
  ['redis_cache_misses_total', 'counter', ['cache']],
  ['cache_fills_coalesced_total', 'counter', ['cache']],
  ['cache_errors_total', 'counter', ['op']],
  ['db_pool_connections', 'gauge', ['state']],
  ['db_pool_waiting', 'gauge', []],
  ['db_pool_max', 'gauge', []],
  ['db_pool_acquire_duration_seconds', 'histogram', []],
  ['db_pool_acquire_timeouts_total', 'counter', []],
  ['db_query_duration_seconds', 'histogram', ['operation']],
];

describe('metrics contract and exact counting', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ DB_POOL_SIZE: '7' });
  });
  after(() => t.stop());

  it('when /metrics is scraped, then every design.md metric is exported with its type, plus default process and nodejs metrics', async () => {
    const text = await metricsText(t);
    for (const [name, type] of CONTRACT) {
      assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `${name} should be a ${type}`);
    }
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_gc_duration_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.equal(await t.metric('db_pool_max'), 7);
  });

  it('when traffic has been served, then every sample carries exactly the contract label names', async () => {
    const u = await registerUser(t);
    const a = await createArticle(t, u.token);
    await t.api('GET', `/api/articles/${a.slug}`);
    const text = await metricsText(t);
    for (const [name, type, labels] of CONTRACT) {
      const sample = type === 'histogram' ? `${name}_count` : name;
      for (const line of text.split('\n').filter((l) => l.startsWith(`${sample}{`))) {
        const names = [...line.matchAll(/([a-z_]+)="/g)].map((m) => m[1]).sort();
        assert.deepEqual(names, [...labels].sort(), line);
      }
    }
  });

  it('when a request has been timed, then the latency histogram has a bucket at exactly 0.4 s (the SLO threshold)', async () => {
    await t.api('GET', '/api/tags');
    const text = await metricsText(t);
    assert.match(text, /^http_request_duration_seconds_bucket\{le="0\.4",method="GET",route="\/api\/tags",status="200"\} \d+$/m);
  });

  it('when known traffic is sent, then request counters grow by exactly that much', async () => {
    const ok = { method: 'GET', route: '/api/tags', status: '200' };
    const missing = { method: 'GET', route: '/api/articles/:slug', status: '404' };
    const before = {
      ok: await t.metric('http_requests_total', ok),
      missing: await t.metric('http_requests_total', missing),
      okTimed: await t.metric('http_request_duration_seconds_count', ok),
      statements: await t.metric('db_query_duration_seconds_count'),
    };
    for (let i = 0; i < 5; i += 1) await t.api('GET', '/api/tags');
    for (let i = 0; i < 3; i += 1) assert.equal((await t.api('GET', `/api/articles/missing-${i}`)).status, 404);
    assert.equal(await t.metric('http_requests_total', ok), before.ok + 5);
    assert.equal(await t.metric('http_requests_total', missing), before.missing + 3);
    assert.equal(await t.metric('http_request_duration_seconds_count', ok), before.okTimed + 5);
    assert.equal(await t.metric('http_requests_in_flight'), 0);
    // Each unknown slug misses the cache and is looked up in MySQL: at least one timed statement each.
    assert.ok((await t.metric('db_query_duration_seconds_count')) >= before.statements + 3);
  });

  it('when many unknown paths and slugs are requested, then route labels stay bounded', async () => {
    for (let i = 0; i < 150; i += 1) {
      await t.api('GET', `/api/random-${i}/x`);
      await t.api('GET', `/api/articles/no-such-${i}`);
      await t.api('GET', `/static-${i}.png`);
    }
    const text = await metricsText(t);
    const routes = new Set([...text.matchAll(/^http_requests_total\{[^}]*route="([^"]*)"/gm)].map((m) => m[1] ?? ''));
    assert.ok(routes.has('unmatched'));
    assert.ok(routes.has('/api/articles/:slug'));
    assert.ok(![...routes].some((r) => r.includes('no-such') || r.includes('random-')), [...routes].join(', '));
    assert.ok(routes.size <= 20, `route label values: ${routes.size}`);
  });

  it('when /metrics is asked of the public port, then it is not served there', async () => {
    const res = await t.api('GET', '/metrics');
    assert.equal(res.status, 404);
  });
});
