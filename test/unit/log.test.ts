import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../app/platform/log.js';

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
});
