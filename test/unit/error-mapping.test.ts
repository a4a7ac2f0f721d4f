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

  it('when MySQL shuts down, drops the connection or outlives the client deadline, then 503 with the reason, never 500', () => {
    const reasonOf = (fields: Record<string, unknown>) => {
      const response = toErrorResponse(Object.assign(new Error('x'), fields));
      return `${response.status} ${response.shedReason ?? ''}`;
    };
    assert.equal(reasonOf({ errno: 1053, code: 'ER_SERVER_SHUTDOWN' }), '503 db_unavailable');
    assert.equal(reasonOf({ errno: 1927, code: 'ER_CONNECTION_KILLED' }), '503 db_unavailable');
    assert.equal(reasonOf({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), '503 db_unavailable');
    assert.equal(reasonOf({ code: 'SOMETHING_NEW', fatal: true }), '503 db_unavailable');
    assert.equal(reasonOf({ code: 'EHOSTUNREACH' }), '503 db_unavailable');
    assert.equal(reasonOf({ code: 'PROTOCOL_SEQUENCE_TIMEOUT' }), '503 db_statement_timeout');
    assert.equal(reasonOf({ errno: 1213, code: 'ER_LOCK_DEADLOCK' }), '503 db_deadlock');
    // A statement error of the application's own making stays a logged 500.
    assert.equal(reasonOf({ errno: 1064, code: 'ER_PARSE_ERROR' }), '500 ');
  });
});
