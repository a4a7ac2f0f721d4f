import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../app/config.js';
import { allowedOrigins, originEntryProblem } from '../../app/http/cors-origins.js';

describe('CORS allow-list', () => {
  it('when nothing is configured, then local frontends on any port are allowed and nothing else', () => {
    const origins = allowedOrigins(loadConfig({}).corsOrigins);
    assert.equal(origins.any, false);
    for (const ok of ['http://localhost:5173', 'http://127.0.0.1:4200', 'http://localhost', 'http://LOCALHOST:3000']) {
      assert.ok(origins.allows(ok), ok);
    }
    for (const no of [
      'https://localhost:5173',
      'http://localhost.evil.example',
      'http://evil.example',
      'http://127.0.0.1.nip.io:80',
      'http://localhost:5173/path',
      'null',
    ]) {
      assert.equal(origins.allows(no), false, no);
    }
  });

  it('when exact origins and subdomain patterns are listed, then only those match', () => {
    const origins = allowedOrigins(['https://blog.example.com', 'https://*.preview.example.com']);
    assert.ok(origins.allows('https://blog.example.com'));
    assert.ok(origins.allows('https://pr-12.preview.example.com'));
    assert.ok(origins.allows('https://a.b.preview.example.com'));
    assert.equal(origins.allows('https://preview.example.com'), false);
    assert.equal(origins.allows('https://blog.example.com:8443'), false);
    assert.equal(origins.allows('http://blog.example.com'), false);
    assert.equal(origins.allows('https://blogXexample.com'), false);
  });

  it('when * is listed, then every origin is allowed (public-API mode)', () => {
    const origins = allowedOrigins(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins);
    assert.equal(origins.any, true);
    assert.ok(origins.allows('https://anything.example'));
  });

  it('when CORS_ORIGINS is none, then no origin is allowed', () => {
    const origins = allowedOrigins(loadConfig({ CORS_ORIGINS: 'none' }).corsOrigins);
    assert.equal(origins.allows('http://localhost:5173'), false);
  });

  it('when an entry has a path, a trailing slash or no scheme, then startup fails naming it', () => {
    for (const bad of ['http://localhost:3000/', 'localhost:3000', 'https://example.com/app', 'ftp://example.com', 'http://*']) {
      assert.ok(originEntryProblem(bad), bad);
    }
    assert.throws(
      () => loadConfig({ CORS_ORIGINS: 'https://ok.example, http://localhost:3000/' }),
      (e: unknown) =>
        e instanceof ConfigError && e.message.includes('CORS_ORIGINS') && e.message.includes('http://localhost:3000/'),
    );
  });

  it('when limits and proxies are not configured, then the public defaults apply', () => {
    const c = loadConfig({});
    assert.equal(c.corsMaxAgeSeconds, 600);
    assert.equal(c.trustedProxyCount, 0);
    assert.equal(c.rateLimitAuthPerMinute, 10);
    assert.equal(c.rateLimitWritesPerMinute, 60);
    assert.equal(loadConfig({ RATE_LIMIT_AUTH_PER_MINUTE: '0' }).rateLimitAuthPerMinute, 0);
    assert.throws(() => loadConfig({ TRUSTED_PROXY_COUNT: '-1' }), /TRUSTED_PROXY_COUNT/);
  });
});
