import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuSecondsFromStat, parseWrkOutput, socketErrors } from '../../scripts/bench/wrk.js';
import { luaString, wrkScript } from '../../scripts/bench/wrk-lua.js';

const STAT_AFTER_COMMAND = 'R 14842 14842 11752 0 -1 4194304 450 0 3 0 6 19 0 0 20 0 2 0 31206';

describe('bench wrk scripts and output', () => {
  it('when text goes into Lua, then quotes, backslashes and control characters are escaped and non-ASCII is refused', () => {
    assert.equal(luaString('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(luaString('x\ny'), '"x\\010y"');
    assert.throws(() => luaString('café'), /non-ASCII/);
  });

  it('when a read needs a header, then the script sets it in init() and keeps the static request (no request())', () => {
    const script = wrkScript({ headers: { Authorization: 'Token abc' } });
    assert.match(script, /function init\(args\)\n {2}wrk\.headers\["Authorization"\] = "Token abc"/);
    assert.doesNotMatch(script, /function request\(\)/);
    assert.match(script, /function done\(summary, latency, requests\)/);
    assert.match(script, /BENCH_WRK/);
  });

  it('when the mix is scripted, then every Nth request is a signed-in POST with a unique title, the rest the read path', () => {
    const script = wrkScript({
      mix: {
        readPath: '/api/articles?limit=20',
        postEvery: 6,
        tokens: ['t1', 't2'],
        runId: 'r1c64',
        body: 'Body "x".',
        tags: ['koa'],
      },
    });
    assert.match(script, /local tokens = \{ "t1", "t2" \}/);
    assert.match(script, /local postEvery = 6/);
    assert.match(script, /read_request = wrk\.format\("GET", "\/api\/articles\?limit=20"\)/);
    assert.match(script, /wrk\.format\("POST", "\/api\/articles", post_headers, body\)/);
    assert.match(script, /"Token " \.\. token/);
    // The body's JSON is escaped once for JSON and once for Lua.
    assert.ok(script.includes('\\"body\\":\\"Body \\\\\\"x\\\\\\".\\"'), script);
    assert.ok(script.includes('Mix r1c64 '));
    assert.throws(
      () => wrkScript({ mix: { readPath: '/', postEvery: 6, tokens: [], runId: 'r', body: '', tags: [] } }),
      /signed-in user/,
    );
  });

  it("when wrk's done() line is parsed, then latencies are in ms, duration in s, and CPU from utime + stime", () => {
    const line =
      'BENCH_WRK {"requests":8807,"durationUs":1004381,"bytes":1100000,' +
      '"errors":{"connect":0,"read":1,"write":0,"status":3,"timeout":2},' +
      `"latencyUs":{"min":80,"mean":2600.5,"max":47087,"p50":1500,"p90":4000,"p99":31206,"p999":45000},"procStat":"${STAT_AFTER_COMMAND}"}`;
    const report = parseWrkOutput(`Running 1s test\n${line}\n`, 100);
    assert.equal(report.requests, 8807);
    assert.equal(report.durationSeconds, 1.004381);
    assert.equal(report.latencyMs.p99, 31.206);
    assert.equal(report.latencyMs.mean, 2.6005);
    assert.equal(report.cpuSeconds, 0.25);
    assert.equal(socketErrors(report.errors), 3);
    assert.throws(() => parseWrkOutput('no line here', 100), /no BENCH_WRK line/);
  });

  it('when /proc/<pid>/stat is short or garbled, then there is no CPU figure', () => {
    assert.equal(cpuSecondsFromStat(STAT_AFTER_COMMAND, 100), 0.25);
    assert.equal(cpuSecondsFromStat('R 1 2', 100), undefined);
    assert.equal(cpuSecondsFromStat('', 100), undefined);
  });
});
