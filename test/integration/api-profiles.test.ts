import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ArticleBody, ArticlePage, ProfileBody, UserBody } from '../helpers/realworld.js';
import { registerUser, startTestService, type ApiResponse, type TestService } from '../helpers/service.js';

/** A profile as `viewer` (anonymous without a token) sees it. */
async function profileOf(t: TestService, username: string, viewer?: { token: string }): Promise<ApiResponse<ProfileBody>> {
  return t.api<ProfileBody>('GET', `/api/profiles/${username}`, viewer ? { token: viewer.token } : {});
}

describe('profiles and follows', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('when a profile is read anonymously, then following is false', async () => {
    const celeb = await registerUser(t);
    const res = await profileOf(t, celeb.username);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.profile, { username: celeb.username, bio: null, image: null, following: false });
  });

  it('when a user follows and unfollows, then the profile says so for that user only', async () => {
    const fan = await registerUser(t);
    const other = await registerUser(t);
    const celeb = await registerUser(t);
    const followed = await t.api<ProfileBody>('POST', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    assert.equal(followed.status, 200);
    assert.equal(followed.body.profile.following, true);
    assert.equal(
      (await t.api('POST', `/api/profiles/${celeb.username}/follow`, { token: fan.token })).status,
      200,
      'following twice is idempotent',
    );
    assert.equal((await profileOf(t, celeb.username, fan)).body.profile.following, true);
    assert.equal((await profileOf(t, celeb.username, other)).body.profile.following, false);
    const unfollowed = await t.api<ProfileBody>('DELETE', `/api/profiles/${celeb.username}/follow`, { token: fan.token });
    assert.equal(unfollowed.body.profile.following, false);
    assert.equal((await profileOf(t, celeb.username, fan)).body.profile.following, false);
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
  it('when a user is renamed, then names MySQL treats as equal to the old one (trailing space, accents) no longer find it', async () => {
    const suffix = randomBytes(3).toString('hex');
    const alice = await registerUser(t, `alice${suffix}`);
    const joseRes = await t.api<UserBody>('POST', '/api/users', {
      body: { user: { username: `José${suffix}`, email: `jose${suffix}@example.test`, password: 'password123' } },
    });
    assert.equal(joseRes.status, 201);
    const jose = { token: joseRes.body.user.token };
    const author = await t.api<ArticleBody>('POST', '/api/articles', {
      token: jose.token,
      body: { article: { title: 'By jose', description: 'd', body: 'b', tagList: [] } },
    });
    assert.equal(author.status, 201);
    // Read through the aliases first, so a cache would hold them.
    assert.equal((await profileOf(t, `alice${suffix}%20`)).body.profile.username, `alice${suffix}`);
    assert.equal((await profileOf(t, `jose${suffix}`)).body.profile.username, `José${suffix}`);
    assert.equal((await t.api<ArticlePage>('GET', `/api/articles?author=jose${suffix}`)).body.articlesCount, 1);
    for (const [user, to] of [
      [alice, `bob${suffix}`],
      [jose, `pedro${suffix}`],
    ] as const) {
      assert.equal((await t.api('PUT', '/api/user', { token: user.token, body: { user: { username: to } } })).status, 200);
    }
    const oldAlice = await t.api('GET', `/api/profiles/alice${suffix}%20`);
    assert.equal(oldAlice.status, 404, `old name answered ${oldAlice.text}`);
    const oldJose = await t.api('GET', `/api/profiles/jose${suffix}`);
    assert.equal(oldJose.status, 404, `old name answered ${oldJose.text}`);
    assert.deepEqual((await t.api('GET', `/api/articles?author=jose${suffix}`)).body, { articles: [], articlesCount: 0 });
    assert.equal((await t.api<ArticlePage>('GET', `/api/articles?author=pedro${suffix}`)).body.articlesCount, 1);
  });
});
