import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { accessLogger, createLogger } from '../../app/platform/log.js';

function capture(): { stream: Writable; lines: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return { stream, lines: () => out };
}

describe('logging', () => {
  it('when a database error and a request carrying secrets are logged, then no password, token or SQL value is written', () => {
    const { stream, lines } = capture();
    const log = createLogger('info', stream);
    const dbError = Object.assign(new Error("Duplicate entry 'alice@example.test' for key 'users_email_unique'"), {
      code: 'ER_DUP_ENTRY',
      errno: 1062,
      sql: "insert into users (email, password_hash) values ('alice@example.test', 'scrypt$...')",
      sqlMessage: "Duplicate entry 'alice@example.test' for key 'users_email_unique'",
    });
    log.error({ err: dbError }, 'unhandled error');
    log.info(
      { user: { password: 'hunter2hunter2' }, token: 'eyJ.secret.jwt', headers: { authorization: 'Token eyJ.secret.jwt' } },
      'request',
    );
    const text = lines();
    assert.ok(text.includes('ER_DUP_ENTRY'), 'the error code stays');
    for (const secret of ['alice@example.test', 'scrypt$', 'hunter2hunter2', 'eyJ.secret.jwt']) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    assert.match(text, /"level":"error"/);
  });

  it("when the access logger writes a request line, then it is the main logger's line and the main logger still redacts", () => {
    const { stream, lines } = capture();
    const log = createLogger('info', stream);
    const access = accessLogger(log);
    const line = { requestId: 'r-1', method: 'GET', route: '/api/articles', status: 200, ms: 1.2, dbStatements: 0 };
    access.info(line, 'request');
    log.info(line, 'request');
    log.info({ token: 'eyJ.secret.jwt' }, 'request');
    const [fromAccess, fromMain, redacted] = lines()
      .trimEnd()
      .split('\n')
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    assert.ok(fromAccess && fromMain && redacted, lines());
    const withoutTime = ({ time: _time, ...rest }: Record<string, unknown>) => rest;
    assert.deepEqual(withoutTime(fromAccess), withoutTime(fromMain));
    assert.deepEqual(withoutTime(fromAccess), { level: 'info', service: 'blog-api', ...line, msg: 'request' });
    assert.equal(redacted.token, '[redacted]');
  });
});
