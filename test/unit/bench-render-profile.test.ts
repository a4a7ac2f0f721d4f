import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BucketTime, ProfileSummary } from '../../scripts/bench/cpu-profile.js';
import { renderProfile, type ProfiledProcess, type ProfileRun } from '../../scripts/bench/render-profile.js';

function profiled(requests: number, buckets: Record<string, number>): ProfiledProcess {
  const totalMs = Object.values(buckets).reduce((a, b) => a + b, 0);
  const summary: ProfileSummary = {
    totalMs,
    samples: 1000,
    windowed: true,
    buckets: Object.entries(buckets).map(([bucket, ms]) => ({ bucket, ms, share: ms / totalMs }) as BucketTime),
    top: [],
    appFiles: [],
  };
  return { durationSeconds: 8, requests, requestsPerSecond: requests / 8, profileFile: '/tmp/x.cpuprofile', summary };
}

const rowOf = (markdown: string, bucket: string) => markdown.split('\n').find((line) => line.startsWith(`| ${bucket} |`));

describe('bench CPU profile report', () => {
  it("when the ceiling was profiled too, then each bucket's µs per request stand beside the ceiling's, largest difference first", () => {
    // 100 requests each: 1 ms of a bucket is 10 µs per request.
    const service = profiled(100, {
      idle: 900,
      'Node HTTP and sockets': 2.5,
      'Redis client (ioredis)': 1.2,
      GC: 0.6,
      'logging (pino)': 0.2,
    });
    const ceiling = profiled(100, { idle: 900, 'Node HTTP and sockets': 0.9, 'Redis client (ioredis)': 1.5, GC: 0.1 });
    const run: ProfileRun = { ...service, path: '/api/articles?limit=20', load: 'anonymous', connections: 64, ceiling };
    const markdown = renderProfile(run);
    assert.match(markdown, /### Beside the ceiling/);
    const section = markdown.slice(markdown.indexOf('### Beside the ceiling'));

    assert.equal(rowOf(section, 'Node HTTP and sockets')?.replace(/ /g, ''), '|NodeHTTPandsockets|25.0|9.0|+16.0|');
    assert.equal(rowOf(section, 'Redis client (ioredis)')?.replace(/ /g, ''), '|Redisclient(ioredis)|12.0|15.0|-3.0|');
    assert.equal(
      rowOf(section, 'logging (pino)')?.replace(/ /g, ''),
      '|logging(pino)|2.0|0.0|+2.0|',
      'a bucket only blog-api has',
    );
    assert.equal(rowOf(section, '**busy, all buckets**')?.replace(/ /g, ''), '|**busy,allbuckets**|45.0|25.0|+20.0|');
    const order = ['Node HTTP and sockets', 'GC', 'logging (pino)', 'Redis client (ioredis)'].map((b) =>
      section.indexOf(`| ${b} |`),
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'rows by difference, largest first',
    );
    assert.ok(!section.includes('| idle |'), 'idle is not compared');
  });

  it('when no ceiling was profiled (the mix), then the report has no comparison', () => {
    const run: ProfileRun = {
      ...profiled(1000, { GC: 1 }),
      path: '/api/articles?limit=20',
      load: 'mix',
      connections: 64,
      ceiling: undefined,
    };
    assert.doesNotMatch(renderProfile(run), /Beside the ceiling/);
  });
});
