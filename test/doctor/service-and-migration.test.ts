// Service endpoints and the migration hook Job, on realistic objects (no cluster is used).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrationJob as checkMigration } from '../../scripts/doctor/checks/migration.js';
import { serviceEndpoints } from '../../scripts/doctor/checks/service.js';
import type { Snapshot } from '../../scripts/doctor/types.js';
import { must } from '../helpers/must.js';
import { crashLoopingPod, endpointSlice, failedMigrationPod, healthySnapshot, migrationJob, readyPod } from './fixtures.js';

/** The spec of the snapshot's Service, to edit. */
const serviceSpec = (s: Snapshot) => must(must(s.service, 'the Service').spec, 'the Service spec');

describe('serviceEndpoints', () => {
  it('when endpoints are ready, then it passes counting them', () => {
    const r = serviceEndpoints(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /2 ready endpoint/);
  });
  it('when every endpoint is not ready (missing endpoints), then it fails', () => {
    const s = healthySnapshot();
    s.endpointSlices = [endpointSlice(0, 2)];
    s.pods = [crashLoopingPod()];
    const r = serviceEndpoints(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /no ready endpoints \(2 not ready, 1 pods selected\)/);
  });
  it('when the selector matches no pod, then it says so', () => {
    const s = healthySnapshot();
    s.endpointSlices = [];
    serviceSpec(s).selector = { 'app.kubernetes.io/name': 'blog', 'app.kubernetes.io/component': 'api' };
    assert.match(serviceEndpoints(s).detail, /no API pod carries those labels/);
  });
  it('when the http or metrics port name is missing, then it fails naming it', () => {
    const s = healthySnapshot();
    serviceSpec(s).ports = [
      { name: 'http', port: 80 },
      { name: 'prom', port: 9464 },
    ];
    const r = serviceEndpoints(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /lacks port\(s\) named metrics/);
  });
  it('when there is no Service, then it fails', () => {
    const s = healthySnapshot();
    s.service = undefined;
    assert.equal(serviceEndpoints(s).status, 'fail');
  });
});

describe('migrationJob', () => {
  it('when the Job completed, then it passes', () => {
    assert.equal(checkMigration(healthySnapshot()).status, 'pass');
  });
  it('when the Job failed, then it explains with the container exit and message', () => {
    const s = healthySnapshot();
    s.migrationJobs = [migrationJob('failed')];
    s.migrationPods = [failedMigrationPod()];
    const r = checkMigration(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /BackoffLimitExceeded/);
    assert.match(r.detail, /exit 1: Access denied for user 'blog'/);
    assert.match(r.fix ?? '', /logs job\/blog-api-migrate/);
  });
  it('when several Jobs exist, then the newest is judged', () => {
    const s = healthySnapshot();
    const old = migrationJob('failed');
    must(old.metadata, 'the Job metadata').creationTimestamp = new Date('2026-04-01T00:00:00Z');
    s.migrationJobs = [old, migrationJob('complete')];
    assert.equal(checkMigration(s).status, 'pass');
  });
  it('when the Job was deleted, then it passes if the pods are ready and warns otherwise', () => {
    const s = healthySnapshot();
    s.migrationJobs = [];
    assert.equal(checkMigration(s).status, 'pass');
    s.pods = [readyPod(), crashLoopingPod()];
    assert.equal(checkMigration(s).status, 'warn');
  });
  it('when the Job still runs, then it warns', () => {
    const s = healthySnapshot();
    s.migrationJobs = [migrationJob('running')];
    assert.equal(checkMigration(s).status, 'warn');
  });
});
