/**
 * GitOps-safe credentials: a render that cannot see the cluster (helm template here, as Argo CD
 * renders) never generates a secret, since a new one per render would log every user out and lock
 * the release out of its MySQL data. It fails with a message saying what to set; with
 * existingSecret or explicit values every render is the same, byte for byte. (The generate-once
 * path, `lookup` on install and upgrade, needs a cluster: test/cluster checks it on the lab.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { HelmError, helm, templateArgs } from '../../scripts/chart-render.js';

function template(values: Record<string, unknown>): string {
  return helm(templateArgs({ values }), stringify(values));
}
function failure(values: Record<string, unknown>): string {
  try {
    template(values);
  } catch (err) {
    if (err instanceof HelmError) return err.stderr;
    throw err;
  }
  assert.fail('rendered without error');
}

describe('credentials without a cluster (helm template, Argo CD)', () => {
  it('refuses to generate them, naming what to set and the GitOps way', () => {
    const stderr = failure({});
    assert.match(stderr, /no value for jwtSecret, mysql\.auth\.password, mysql\.auth\.rootPassword,/);
    assert.match(stderr, /cannot see the cluster/);
    assert.match(stderr, /existingSecret/);
    assert.match(stderr, /keys JWT_SECRET and MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD/);
    assert.match(stderr, /helm install/);
  });

  it('with an external database only the JWT secret is missing, and the Secret needs DATABASE_URL', () => {
    const stderr = failure({ mysql: { enabled: false }, externalDatabase: { url: 'mysql://a:b@db:3306/c' } });
    assert.match(stderr, /no value for jwtSecret,/);
    assert.match(stderr, /keys JWT_SECRET and DATABASE_URL/);
  });

  it('a partly given set still names the rest', () => {
    assert.match(failure({ jwtSecret: 'x'.repeat(32) }), /no value for mysql\.auth\.password, mysql\.auth\.rootPassword,/);
  });

  for (const [what, values] of [
    ['existingSecret', { existingSecret: 'blog-api-env' }],
    [
      'explicit values',
      { jwtSecret: 'j'.repeat(40), mysql: { auth: { password: 'p'.repeat(20), rootPassword: 'r'.repeat(20) } } },
    ],
  ] as const) {
    it(`${what}: two renders are identical (no pod restart, nobody logged out)`, () => {
      const first = template(values);
      assert.equal(template(values), first);
      assert.doesNotMatch(first, /randAlphaNum/);
    });
  }
});
