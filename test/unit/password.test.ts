import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPasswordHasher } from '../../app/modules/users/password.js';

const passwords = createPasswordHasher({ concurrency: 2, queueLimit: 4, waitTimeoutMs: 5000 });

describe('passwords', () => {
  it('when a password is hashed, then only the right password verifies, and the hash never contains it', async () => {
    const hash = await passwords.hash('correct horse');
    assert.ok(!hash.includes('correct horse'));
    assert.equal(await passwords.verify('correct horse', hash), true);
    assert.equal(await passwords.verify('wrong horse', hash), false);
    assert.equal(await passwords.verify('correct horse', 'garbage'), false);
    assert.notEqual(await passwords.hash('correct horse'), hash, 'salted');
  });
});
