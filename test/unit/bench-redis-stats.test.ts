import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandDelta, commandsPerRequest, parseCommandStats, totalCalls } from '../../scripts/bench/redis-stats.js';

const INFO = [
  '# Commandstats',
  'cmdstat_get:calls=2400,usec=1200,usec_per_call=0.50,rejected_calls=0,failed_calls=0',
  'cmdstat_evalsha:calls=300,usec=4650,usec_per_call=15.50,rejected_calls=0,failed_calls=0',
  'cmdstat_info:calls=7,usec=70,usec_per_call=10.00,rejected_calls=0,failed_calls=0',
  'cmdstat_client|setname:calls=1,usec=1,usec_per_call=1.00,rejected_calls=0,failed_calls=0',
  '',
].join('\r\n');

describe('bench Redis command counts', () => {
  it('when INFO commandstats is parsed, then every command keeps its call count', () => {
    assert.deepEqual(parseCommandStats(INFO), { get: 2400, evalsha: 300, info: 7, 'client|setname': 1 });
  });

  it("when two snapshots are compared, then the bench's own INFO and unchanged commands drop out", () => {
    const before = { get: 400, evalsha: 100, info: 3 };
    const after = parseCommandStats(INFO);
    assert.deepEqual(commandDelta(before, after), { get: 2000, evalsha: 200, 'client|setname': 1 });
    assert.equal(totalCalls({ get: 2000, evalsha: 200 }), 2200);
  });

  it('when shown per request, then the largest come first and the rest fold into "other"', () => {
    assert.equal(
      commandsPerRequest({ get: 2400, evalsha: 300, zcard: 100, exists: 100, zrevrange: 100 }, 100, 3),
      'get 24, evalsha 3.0, exists 1.0, other 2.0',
    );
    assert.equal(commandsPerRequest({}, 100), 'none');
    assert.equal(commandsPerRequest({ get: 5 }, 0), '–');
  });
});
