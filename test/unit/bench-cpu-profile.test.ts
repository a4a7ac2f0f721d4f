import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketOf, summarizeProfile, whereOf, type CallFrame, type CpuProfile } from '../../scripts/bench/cpu-profile.js';

const frame = (functionName: string, url: string, lineNumber = 0): CallFrame => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});
const NM = 'file:///work/main/node_modules';

describe('bench CPU profile buckets', () => {
  it('when frames come from known places, then they land in the bucket that says what could be removed', () => {
    assert.equal(bucketOf(frame('(idle)', '')), 'idle');
    assert.equal(bucketOf(frame('(garbage collector)', '')), 'GC');
    assert.equal(bucketOf(frame('sendCommand', `${NM}/ioredis/built/Redis.js`)), 'Redis client (ioredis)');
    assert.equal(bucketOf(frame('parseBulkString', `${NM}/redis-parser/lib/parser.js`)), 'Redis client (ioredis)');
    assert.equal(bucketOf(frame('handleRequest', `${NM}/koa/lib/application.js`)), 'Koa');
    assert.equal(bucketOf(frame('respond', `${NM}/koa/lib/application.js`)), 'JSON parse/stringify');
    assert.equal(bucketOf(frame('match', `${NM}/@koa/router/dist/index.js`)), 'router (@koa/router)');
    assert.equal(bucketOf(frame('observe', `${NM}/prom-client/lib/histogram.js`)), 'metrics (prom-client)');
    assert.equal(bucketOf(frame('write', `${NM}/pino/lib/proto.js`)), 'logging (pino)');
    assert.equal(bucketOf(frame('actualWrite', `${NM}/sonic-boom/index.js`)), 'logging (pino)');
    assert.equal(bucketOf(frame('_parse', `${NM}/zod/v4/core/schemas.js`)), 'zod');
    assert.equal(bucketOf(frame('randomFillSync', 'node:internal/crypto/random')), 'crypto/random');
    assert.equal(bucketOf(frame('parseJson', 'file:///work/main/dist/app/cache/redis-cache.js')), 'JSON parse/stringify');
    assert.equal(bucketOf(frame('present', 'file:///work/main/dist/app/modules/articles/article-service.js')), 'blog-api code');
    assert.equal(bucketOf(frame('writev', '')), 'Node HTTP and sockets');
    assert.equal(bucketOf(frame('run', 'node:internal/async_local_storage/async_hooks')), 'async context (AsyncLocalStorage)');
    assert.equal(bucketOf(frame('runMicrotasks', '')), 'Node timers, ticks and microtasks');
    assert.equal(bucketOf(frame('parse', 'node:url')), 'other Node internals');
    assert.equal(bucketOf(frame('thing', `${NM}/left-pad/index.js`)), 'other');
  });

  it('when places are shortened, then packages and app files lose their absolute prefix and lines are 1-based', () => {
    assert.equal(whereOf(frame('f', `${NM}/ioredis/built/Redis.js`, 353)), 'ioredis/built/Redis.js:354');
    assert.equal(whereOf(frame('f', 'file:///work/main/dist/app/http/observe.js', 21)), 'dist/app/http/observe.js:22');
    assert.equal(whereOf(frame('f', '')), '(native)');
  });

  it('when a profile is summed over a window, then samples outside it drop out, and socket writes under ioredis count as Redis', () => {
    // root -> app handler -> ioredis sendCommand -> writeUtf8String (native); root -> (idle)
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 5] },
        { id: 2, callFrame: frame('list', 'file:///w/dist/app/modules/articles/article-service.js'), children: [3] },
        { id: 3, callFrame: frame('sendCommand', `${NM}/ioredis/built/Redis.js`), children: [4] },
        { id: 4, callFrame: frame('writeUtf8String', ''), children: [] },
        { id: 5, callFrame: frame('(idle)', ''), children: [] },
      ],
      startTime: 1_000,
      endTime: 1_600,
      // samples at 1100, 1200, 1300, 1400, 1500 (each weighs the 100 µs to the next)
      samples: [4, 4, 2, 5, 4],
      timeDeltas: [100, 100, 100, 100, 100],
    };
    const all = summarizeProfile(profile);
    assert.equal(all.samples, 5);
    assert.equal(all.totalMs, 0.5);
    assert.deepEqual(
      all.buckets.map((b) => [b.bucket, b.share]),
      [
        ['Redis client (ioredis)', 0.6],
        ['blog-api code', 0.2],
        ['idle', 0.2],
      ],
    );
    const top = all.top[0];
    assert.equal(top?.functionName, 'writeUtf8String');
    assert.equal(top.calledFrom, 'sendCommand ioredis/built/Redis.js:1');
    assert.deepEqual(
      all.appFiles.map((f) => f.file),
      ['dist/app/modules/articles/article-service.js'],
    );

    const windowed = summarizeProfile(profile, { fromUs: 1_350, toUs: 1_450 });
    assert.equal(windowed.windowed, true);
    assert.equal(windowed.samples, 1);
    assert.deepEqual(
      windowed.buckets.map((b) => b.bucket),
      ['idle'],
    );
    // A window that misses the profile (another clock) falls back to every sample.
    assert.equal(summarizeProfile(profile, { fromUs: 9e9, toUs: 9e9 + 1 }).samples, 5);
  });
});
