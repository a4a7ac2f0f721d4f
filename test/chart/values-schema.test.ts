/** values.schema.json: helm refuses wrong types and unknown keys before rendering anything. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HelmError, renderChart } from '../../scripts/chart-render.js';

// Rendered without a cluster: the credentials helm install would generate are given.
const base = { jwtSecret: 'schema-test-jwt-secret-0123456789', mysql: { auth: { password: 'pw', rootPassword: 'root-pw' } } };

function renderError(values: Record<string, unknown>): string {
  try {
    renderChart({ values: { ...base, ...values } });
  } catch (err) {
    if (err instanceof HelmError) return err.stderr;
    throw err;
  }
  return '';
}

describe('values.schema.json', () => {
  it('accepts the defaults plus a database URL', () => {
    assert.equal(renderError({}), '');
  });

  const rejected: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown top-level key', { replicas: 3 }, /additional properties 'replicas' not allowed/],
    [
      'an unknown nested key',
      { image: { repository: 'blog-api', tag: '', pullPolicy: 'Always', digest: 'x' } },
      /additional properties 'digest'/,
    ],
    ['a misspelt monitoring flag', { serviceMonitor: { enable: true } }, /additional properties 'enable'/],
    ['a string replica count', { replicaCount: '2' }, /replicaCount.*want integer|got string/],
    ['a string boolean', { prometheusRule: { enabled: 'sure' } }, /enabled.*want boolean|got string/],
    ['an unknown pull policy', { image: { repository: 'blog-api', tag: '', pullPolicy: 'Sometimes' } }, /pullPolicy/],
    ['an objective above 100%', { slo: { availability: { enabled: true, objective: 120 } } }, /objective/],
    ['a burn-rate pair without factor', { slo: { burnRates: { page: [{ long: '1h', short: '5m' }], ticket: [] } } }, /factor/],
    ['a malformed duration', { serviceMonitor: { interval: '30 seconds' } }, /interval/],
    ['a non-MySQL database URL', { externalDatabase: { url: 'postgres://db/blog' } }, /url/],
    ['a URL-unsafe MySQL password', { mysql: { enabled: true, auth: { password: 'p@ss/word', rootPassword: 'x' } } }, /password/],
    ['the removed hook Job settings', { migrations: { enabled: true, backoffLimit: 6 } }, /additional properties 'backoffLimit'/],
  ];
  for (const [what, values, pattern] of rejected) {
    it(`rejects ${what}`, () => {
      const stderr = renderError(values);
      assert.notEqual(stderr, '', 'rendered without error');
      assert.match(stderr, pattern);
    });
  }

  it('fails with a clear message when the in-chart MySQL is off and no database is configured', () => {
    assert.match(renderError({ mysql: { enabled: false }, externalDatabase: { url: '' } }), /externalDatabase.url is required/);
  });

  it('fails when the grace period cannot cover preStop plus the drain window', () => {
    assert.match(renderError({ terminationGracePeriodSeconds: 12 }), /terminationGracePeriodSeconds/);
  });
});
