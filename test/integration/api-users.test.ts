import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { createPool } from 'mysql2/promise';
import type { ArticleBody, CommentsBody, ErrorBody, UserBody } from '../helpers/realworld.js';
import { createArticle, registerUser, startTestService, type TestService } from '../helpers/service.js';

describe('users and auth', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('when a user registers, then the answer is 201 with the RealWorld user shape and a token', async () => {
    const res = await t.api<UserBody>('POST', '/api/users', {
      body: { user: { username: 'jake', email: 'jake@jake.jake', password: 'jakejake' } },
    });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body.user).sort(), ['bio', 'email', 'image', 'token', 'username']);
    assert.equal(res.body.user.username, 'jake');
    assert.equal(res.body.user.email, 'jake@jake.jake');
    assert.match(res.body.user.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('when the username or email is taken (in any case), then 422 names the field', async () => {
    await registerUser(t, 'taken');
    const res = await t.api<ErrorBody>('POST', '/api/users', {
      body: { user: { username: 'TAKEN', email: 'taken@example.test', password: 'password123' } },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.errors.username, ['has already been taken']);
    assert.deepEqual(res.body.errors.email, ['has already been taken']);
  });

  it('when fields are missing or invalid, then 422 lists each field', async () => {
    const res = await t.api<ErrorBody>('POST', '/api/users', {
      body: { user: { username: '', email: 'not-an-email', password: 'short' } },
    });
    assert.equal(res.status, 422);
    assert.ok(res.body.errors.username);
    assert.ok(res.body.errors.email);
    assert.ok(res.body.errors.password);
    const missing = await t.api<ErrorBody>('POST', '/api/users', { body: {} });
    assert.equal(missing.status, 422);
    assert.ok(missing.body.errors.user);
  });

  it('when logging in with the right password, then 200 and a working token; wrong password or unknown email is 401', async () => {
    const u = await registerUser(t);
    const ok = await t.api<UserBody>('POST', '/api/users/login', { body: { user: { email: u.email, password: 'password123' } } });
    assert.equal(ok.status, 200);
    const me = await t.api<UserBody>('GET', '/api/user', { token: ok.body.user.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.username, u.username);
    const wrong = await t.api<ErrorBody>('POST', '/api/users/login', {
      body: { user: { email: u.email, password: 'nope-nope' } },
    });
    assert.equal(wrong.status, 401);
    assert.ok(wrong.body.errors);
    const unknown = await t.api('POST', '/api/users/login', {
      body: { user: { email: 'nobody@example.test', password: 'password123' } },
    });
    assert.equal(unknown.status, 401);
  });

  it('when the token is missing, malformed, signed with another key or expired, then 401 JSON', async () => {
    assert.equal((await t.api('GET', '/api/user')).status, 401);
    const malformed = await t.api<ErrorBody>('GET', '/api/user', { headers: { Authorization: 'Token not.a.jwt' } });
    assert.equal(malformed.status, 401);
    assert.ok(malformed.body.errors.token);
    assert.equal((await t.api('GET', '/api/user', { headers: { Authorization: 'Basic abc' } })).status, 401);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('1')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-entirely-123'));
    assert.equal((await t.api('GET', '/api/user', { token: forged })).status, 401);
    const key = new TextEncoder().encode('test-secret-with-enough-length');
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('1')
      .setIssuedAt(1000)
      .setExpirationTime(2000)
      .sign(key);
    const res = await t.api<ErrorBody>('GET', '/api/user', { token: expired });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body.errors.token, ['token expired']);
  });

  it('when the user updates email, bio, image and password, then they are stored and the new password works', async () => {
    const u = await registerUser(t);
    const res = await t.api<UserBody>('PUT', '/api/user', {
      token: u.token,
      body: {
        user: { email: `new-${u.email}`, bio: 'I like dragons', image: 'https://example.test/a.png', password: 'newpassword1' },
      },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.email, `new-${u.email}`);
    assert.equal(res.body.user.bio, 'I like dragons');
    assert.equal(res.body.user.image, 'https://example.test/a.png');
    const login = await t.api('POST', '/api/users/login', {
      body: { user: { email: `new-${u.email}`, password: 'newpassword1' } },
    });
    assert.equal(login.status, 200);
  });

  it('when an update is empty, takes another user name, or has a bad image URL, then 422', async () => {
    const a = await registerUser(t);
    const b = await registerUser(t);
    assert.equal((await t.api('PUT', '/api/user', { token: a.token, body: { user: {} } })).status, 422);
    const dup = await t.api<ErrorBody>('PUT', '/api/user', { token: a.token, body: { user: { username: b.username } } });
    assert.equal(dup.status, 422);
    assert.deepEqual(dup.body.errors.username, ['has already been taken']);
    const img = await t.api<ErrorBody>('PUT', '/api/user', { token: a.token, body: { user: { image: 'javascript:alert(1)' } } });
    assert.equal(img.status, 422);
    assert.ok(img.body.errors.image);
  });

  it('when a password is stored, then it is a scrypt hash, never the password', async () => {
    const u = await registerUser(t);
    const pool = createPool({ uri: t.databaseUrl, connectionLimit: 1 });
    try {
      const [rows] = await pool.query('SELECT password_hash FROM users WHERE username = ?', [u.username]);
      const hash = (rows as { password_hash: string }[])[0]?.password_hash ?? '';
      assert.match(hash, /^scrypt\$32768\$8\$1\$/);
      assert.ok(!hash.includes('password123'));
    } finally {
      await pool.end();
    }
  });
  it('when a token outlives its deleted user, then writes answer 401 and claim nothing', async () => {
    const ghost = await registerUser(t);
    const other = await registerUser(t);
    const article = await createArticle(t, other.token);
    // Warm the ghost's cached sets, so an edit of them would show.
    assert.equal((await t.api('GET', `/api/articles/${article.slug}`, { token: ghost.token })).status, 200);
    const pool = createPool({ uri: t.databaseUrl, connectionLimit: 1 });
    try {
      await pool.query('DELETE FROM users WHERE username = ?', [ghost.username]);
    } finally {
      await pool.end();
    }
    const writes: [string, string, unknown?][] = [
      ['POST', '/api/articles', { article: { title: 'Ghost post', description: 'd', body: 'b', tagList: [] } }],
      ['POST', `/api/articles/${article.slug}/comments`, { comment: { body: 'boo' } }],
      ['POST', `/api/profiles/${other.username}/follow`],
      ['POST', `/api/articles/${article.slug}/favorite`],
    ];
    for (const [method, path, body] of writes) {
      const res = await t.api(method, path, { token: ghost.token, ...(body === undefined ? {} : { body }) });
      assert.equal(res.status, 401, `${method} ${path} -> ${res.status} ${res.text}`);
      assert.deepEqual(res.body, { errors: { token: ['user no longer exists'] } }, `${method} ${path}`);
    }
    const after = await t.api<ArticleBody>('GET', `/api/articles/${article.slug}`);
    assert.equal(after.body.article.favoritesCount, 0);
    assert.deepEqual((await t.api<CommentsBody>('GET', `/api/articles/${article.slug}/comments`)).body.comments, []);
  });
});
