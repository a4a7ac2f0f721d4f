import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toErrorResponse } from '../../app/http/errors.js';
import { ShedError } from '../../app/platform/errors.js';

describe('error mapping', () => {
  it('when the database stalls or an error is unknown, then 503 for the stall and a bare 500 for the unknown', () => {
    assert.equal(toErrorResponse(Object.assign(new Error('x'), { errno: 1969 })).status, 503);
    assert.equal(toErrorResponse(Object.assign(new Error('x'), { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 })).status, 503);
    assert.equal(toErrorResponse(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).status, 503);
    const unknown = toErrorResponse(new Error('secret internals'));
    assert.equal(unknown.status, 500);
    assert.deepEqual(unknown.errors, { server: ['internal error'] });
    assert.equal(toErrorResponse(Object.assign(new Error('too big'), { status: 413 })).status, 413);
    const shed = toErrorResponse(new ShedError('db_pool_timeout'));
    assert.equal(shed.status, 503);
    assert.equal(shed.headers['Retry-After'], '1');
    assert.equal(shed.shedReason, 'db_pool_timeout');
  });
});
