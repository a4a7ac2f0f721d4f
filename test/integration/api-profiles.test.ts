import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser, startTestService, type TestService } from '../helpers/service.js';

describe('profiles and follows', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('when a profile is read anonymously, then following is false', async () => {
    const celeb = await registerUser(t);
    const res = await t.api('GET', `/api/profiles/${celeb.username}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.profile, { username: celeb.username, bio: '', image: '', following: false });
  });

  it('when a user follows and unfollows, then the profile says so for that user only', async () => {
    const fan = await registerUser(t);
    const other = await registerUser(t);
    const celeb = await registerUser(t);
    const followed = await t.api('POST', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    assert.equal(followed.status, 200);
    assert.equal(followed.body.profile.following, true);
    assert.equal((await t.api('POST', `/api/profiles/${celeb.username}/follow`, { token: fan.token })).status, 200, 'following twice is idempotent');
    assert.equal((await t.api('GET', `/api/profiles/${celeb.username}`, { token: fan.token })).body.profile.following, true);
    assert.equal((await t.api('GET', `/api/profiles/${celeb.username}`, { token: other.token })).body.profile.following, false);
    const unfollowed = await t.api('DELETE', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    assert.equal(unfollowed.body.profile.following, false);
    assert.equal((await t.api('GET', `/api/profiles/${celeb.username}`, { token: fan.token })).body.profile.following, false);
  });

  it('when the profile is unknown, then 404; following needs a token (401); following yourself is 422', async () => {
    const me = await registerUser(t);
    const missing = await t.api('GET', '/api/profiles/nobody-here');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { errors: { profile: ['not found'] } });
    assert.equal((await t.api('POST', `/api/profiles/${me.username}/follow`)).status, 401);
    assert.equal((await t.api('POST', '/api/profiles/nobody-here/follow', { token: me.token })).status, 404);
    assert.equal((await t.api('POST', `/api/profiles/${me.username}/follow`, { token: me.token })).status, 422);
  });
});
