// Service endpoints and the migration hook Job, on realistic objects (no cluster is used).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrations as checkMigration } from '../../scripts/doctor/checks/migration.js';
import { serviceEndpoints } from '../../scripts/doctor/checks/service.js';
import type { Snapshot } from '../../scripts/doctor/types.js';
import { must } from '../helpers/must.js';
import {
  ACCESS_DENIED_LOG,
  crashLoopingPod,
  endpointSlice,
  failedMigrationPod,
  healthySnapshot,
  migrationJob,
  readyPod,
  withMigrate,
} from './fixtures.js';

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

describe('migrations in the migrate init container (the chart today)', () => {
  it('when every pod ran it to completion, then it passes counting them', () => {
    const s = healthySnapshot();
    s.migrationJobs = [];
    s.pods = [withMigrate(readyPod(), 'done'), withMigrate(readyPod('blog-api-7d9f8b6c5-b'), 'done')];
    const r = checkMigration(s);
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /migrate init container of 2 pod/);
  });
  it('when it failed on the credentials, then it names the pod, the exit, the logged error and the credentials fix', () => {
    const s = healthySnapshot();
    s.migrationJobs = [];
    const failing = withMigrate(crashLoopingPod('blog-api-5c4b-new'), 'failed');
    s.pods = [withMigrate(readyPod(), 'done'), failing];
    s.migrationLogs = { 'blog-api-5c4b-new': ACCESS_DENIED_LOG };
    const r = checkMigration(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /blog-api-5c4b-new: init container migrate failed \(exit 1, 3 restarts\)/);
    assert.match(r.detail, /Access denied for user 'blog'/);
    assert.match(r.detail, /1 older pod\(s\) still serve/);
    assert.match(r.fix ?? '', /refuses the credentials/);
    assert.match(r.fix ?? '', /logs blog-api-5c4b-new -c migrate --previous/);
  });
  it('when the database never answered, then the fix is about reaching it', () => {
    const s = healthySnapshot();
    s.migrationJobs = [];
    s.pods = [withMigrate(crashLoopingPod(), 'failed')];
    s.migrationLogs = {
      [s.pods[0]?.metadata?.name ?? '']: JSON.stringify({
        level: 60,
        msg: 'migration failed',
        err: { message: 'connect ECONNREFUSED 10.96.0.9:3306', code: 'ECONNREFUSED' },
      }),
    };
    assert.match(checkMigration(s).fix ?? '', /not reachable within migrations.waitSeconds/);
  });
  it('when it still runs, then it warns', () => {
    const s = healthySnapshot();
    s.migrationJobs = [];
    s.pods = [withMigrate(crashLoopingPod(), 'running')];
    assert.equal(checkMigration(s).status, 'warn');
  });
  it('when its image is missing on the node, then it warns that migrations did not start (the pod check names the image)', () => {
    const s = healthySnapshot();
    s.migrationJobs = [];
    s.pods = [withMigrate(crashLoopingPod(), 'never-pull')];
    const r = checkMigration(s);
    assert.equal(r.status, 'warn');
    assert.match(r.detail, /ErrImageNeverPull/);
  });
});
