import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toErrorResponse } from '../../app/http/errors.js';
import { ShedError } from '../../app/platform/errors.js';
import { slugify, uniqueSlug } from '../../app/modules/articles/slug.js';
import { createPasswordHasher } from '../../app/modules/users/password.js';

const { hash: hashPassword, verify: verifyPassword } = createPasswordHasher({
  concurrency: 2,
  queueLimit: 4,
  waitTimeoutMs: 5000,
});

describe('slugs', () => {
  it('are lowercase ASCII words joined by dashes, never empty', () => {
    assert.equal(slugify('How to train your dragon!'), 'how-to-train-your-dragon');
    assert.equal(slugify('  Crème brûlée — à la carte  '), 'creme-brulee-a-la-carte');
    assert.equal(slugify('!!!'), 'article');
    assert.equal(slugify('日本語'), 'article');
    assert.ok(slugify('x'.repeat(500)).length <= 200);
    assert.match(uniqueSlug('same'), /^same-[0-9a-f]{8}$/);
  });
});

describe('passwords', () => {
  it('verify only the right password, and never store it', async () => {
    const hash = await hashPassword('correct horse');
    assert.ok(!hash.includes('correct horse'));
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('wrong horse', hash), false);
    assert.equal(await verifyPassword('correct horse', 'garbage'), false);
    assert.notEqual(await hashPassword('correct horse'), hash, 'salted');
  });
});

describe('error mapping', () => {
  it('turns database stalls into 503 and unknown errors into a bare 500', () => {
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
