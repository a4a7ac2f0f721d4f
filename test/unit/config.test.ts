import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEV_JWT_SECRET, loadConfig } from '../../app/config.js';

describe('config', () => {
  it('when nothing is set, then design.md defaults apply and the dev secret is flagged', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.metricsPort, 9464);
    assert.equal(c.databaseUrl, 'mysql://root@127.0.0.1:3306/blog');
    assert.equal(c.dbPoolSize, 20);
    assert.equal(c.dbAcquireTimeoutMs, 1000);
    assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(c.logLevel, 'info');
    assert.equal(c.shutdownGraceMs, 10000);
    assert.equal(c.migrateOnStart, true);
    assert.equal(c.jwtSecret, DEV_JWT_SECRET);
    assert.equal(c.jwtSecretIsDefault, true);
    assert.ok(Object.isFrozen(c));
  });

  it('when REDIS_URL is empty, then caching is off (empty string kept); other empty vars mean unset', () => {
    const c = loadConfig({ REDIS_URL: '', PORT: '' });
    assert.equal(c.redisUrl, '');
    assert.equal(c.port, 3000);
  });

  it('when production has no JWT_SECRET, then startup fails loudly', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production' }),
      (e: unknown) => e instanceof ConfigError && e.message.includes('JWT_SECRET is required'),
    );
    assert.equal(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-long-enough-secret' }).jwtSecretIsDefault, false);
  });

  it('when values are malformed, then every bad variable is named', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', DB_POOL_SIZE: '0', MIGRATE_ON_START: 'maybe', LOG_LEVEL: 'loud' }),
      (e: unknown) =>
        e instanceof ConfigError && ['PORT', 'DB_POOL_SIZE', 'MIGRATE_ON_START', 'LOG_LEVEL'].every((v) => e.message.includes(v)),
    );
    assert.throws(() => loadConfig({ JWT_SECRET: 'short' }), /at least 16/);
    assert.equal(loadConfig({ MIGRATE_ON_START: 'false' }).migrateOnStart, false);
  });
});
