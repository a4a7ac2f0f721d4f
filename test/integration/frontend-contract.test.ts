import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createArticle, registerUser, startTestService, type TestService } from '../helpers/service.js';

/** What frontends put on screen: an avatar or the default one, a bio or none, a login error sentence. */

interface PublicFields {
  username: string;
  bio: string | null;
  image: string | null;
}
interface UserAnswer {
  user: PublicFields & { email: string; token: string };
}
interface ProfileAnswer {
  profile: PublicFields & { following: boolean };
}
interface ArticleAnswer {
  article: { author: PublicFields };
}
interface ErrorAnswer {
  errors: Record<string, string[]>;
}

describe('fields a frontend renders', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('when a user never set a bio or an image, then user, profile and article author all answer null for both', async () => {
    const registered = await t.api<UserAnswer>('POST', '/api/users', {
      body: { user: { username: 'plain', email: 'plain@example.test', password: 'password123' } },
    });
    assert.equal(registered.status, 201);
    assert.equal(registered.body.user.bio, null);
    assert.equal(registered.body.user.image, null);
    const me = await t.api<UserAnswer>('GET', '/api/user', { token: registered.body.user.token });
    assert.deepEqual([me.body.user.bio, me.body.user.image], [null, null]);
    // Twice: the profile written through at sign-up, then read back from the cache.
    for (let n = 0; n < 2; n += 1) {
      const profile = await t.api<ProfileAnswer>('GET', '/api/profiles/plain');
      assert.deepEqual(profile.body.profile, { username: 'plain', bio: null, image: null, following: false });
    }
    const article = await createArticle(t, registered.body.user.token);
    const read = await t.api<ArticleAnswer>('GET', `/api/articles/${article.slug}`);
    assert.deepEqual(read.body.article.author, { username: 'plain', bio: null, image: null, following: false });
  });

  it('when a bio and an image are set, then they are answered, and null or "" clears them back to null', async () => {
    const u = await registerUser(t);
    const set = await t.api<UserAnswer>('PUT', '/api/user', {
      token: u.token,
      body: { user: { bio: 'I like dragons', image: 'https://example.test/me.png' } },
    });
    assert.deepEqual([set.body.user.bio, set.body.user.image], ['I like dragons', 'https://example.test/me.png']);
    assert.equal(
      (await t.api<ProfileAnswer>('GET', `/api/profiles/${u.username}`)).body.profile.image,
      'https://example.test/me.png',
    );

    const cleared = await t.api<UserAnswer>('PUT', '/api/user', { token: u.token, body: { user: { bio: null, image: '' } } });
    assert.equal(cleared.status, 200, cleared.text);
    assert.deepEqual([cleared.body.user.bio, cleared.body.user.image], [null, null]);
    const profile = await t.api<ProfileAnswer>('GET', `/api/profiles/${u.username}`);
    assert.deepEqual([profile.body.profile.bio, profile.body.profile.image], [null, null]);
  });

  it('when a login fails, by a wrong password or an unknown email, then 401 says "email or password is invalid"', async () => {
    const u = await registerUser(t);
    const wrong = await t.api<ErrorAnswer>('POST', '/api/users/login', {
      body: { user: { email: u.email, password: 'not-it-at-all' } },
    });
    const unknown = await t.api<ErrorAnswer>('POST', '/api/users/login', {
      body: { user: { email: 'nobody@example.test', password: 'password123' } },
    });
    for (const res of [wrong, unknown]) {
      assert.equal(res.status, 401);
      assert.deepEqual(res.body, { errors: { 'email or password': ['is invalid'] } });
    }
  });
});
