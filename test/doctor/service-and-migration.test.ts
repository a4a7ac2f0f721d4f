// Service endpoints and the migration hook Job, on realistic objects (no cluster is used).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrationJob as checkMigration } from '../../scripts/doctor/checks/migration.js';
import { serviceEndpoints } from '../../scripts/doctor/checks/service.js';
import { crashLoopingPod, endpointSlice, failedMigrationPod, healthySnapshot, migrationJob, readyPod } from './fixtures.js';

describe('serviceEndpoints', () => {
  it('passes with ready endpoints', () => {
    const r = serviceEndpoints(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /2 ready endpoint/);
  });
  it('fails when every endpoint is not ready (missing endpoints)', () => {
    const s = healthySnapshot();
    s.endpointSlices = [endpointSlice(0, 2)];
    s.pods = [crashLoopingPod()];
    const r = serviceEndpoints(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /no ready endpoints \(2 not ready, 1 pods selected\)/);
  });
  it('names a selector that matches no pod', () => {
    const s = healthySnapshot();
    s.endpointSlices = [];
    s.service!.spec!.selector = { 'app.kubernetes.io/name': 'blog', 'app.kubernetes.io/component': 'api' };
    assert.match(serviceEndpoints(s).detail, /no API pod carries those labels/);
  });
  it('requires the http and metrics port names', () => {
    const s = healthySnapshot();
    s.service!.spec!.ports = [
      { name: 'http', port: 80 },
      { name: 'prom', port: 9464 },
    ];
    const r = serviceEndpoints(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /lacks port\(s\) named metrics/);
  });
  it('fails without a Service', () => {
    const s = healthySnapshot();
    s.service = undefined;
    assert.equal(serviceEndpoints(s).status, 'fail');
  });
});

describe('migrationJob', () => {
  it('passes a completed Job', () => {
    assert.equal(checkMigration(healthySnapshot()).status, 'pass');
  });
  it('explains a failed Job with the container exit and message', () => {
    const s = healthySnapshot();
    s.migrationJobs = [migrationJob('failed')];
    s.migrationPods = [failedMigrationPod()];
    const r = checkMigration(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /BackoffLimitExceeded/);
    assert.match(r.detail, /exit 1: Access denied for user 'blog'/);
    assert.match(r.fix ?? '', /logs job\/blog-api-migrate/);
  });
  it('judges the newest Job when several exist', () => {
    const s = healthySnapshot();
    const old = migrationJob('failed');
    old.metadata!.creationTimestamp = new Date('2026-04-01T00:00:00Z');
    s.migrationJobs = [old, migrationJob('complete')];
    assert.equal(checkMigration(s).status, 'pass');
  });
  it('accepts a deleted Job when the pods are ready, warns otherwise', () => {
    const s = healthySnapshot();
    s.migrationJobs = [];
    assert.equal(checkMigration(s).status, 'pass');
    s.pods = [readyPod(), crashLoopingPod()];
    assert.equal(checkMigration(s).status, 'warn');
  });
  it('warns while the Job still runs', () => {
    const s = healthySnapshot();
    s.migrationJobs = [migrationJob('running')];
    assert.equal(checkMigration(s).status, 'warn');
  });
});
