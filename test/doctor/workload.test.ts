// Deployment, pod and restart diagnosis on realistic objects (no cluster is used).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deploymentAvailable, podsReady, restarts } from '../../scripts/doctor/checks/workload.js';
import type { Pod } from '../../scripts/doctor/types.js';
import { must } from '../helpers/must.js';
import { crashLoopingPod, deployment, healthySnapshot, imagePullPod, readyPod, withMigrate } from './fixtures.js';

/** A pod's status, to edit. */
const statusOf = (pod: Pod) => must(pod.status, `the status of ${pod.metadata?.name ?? 'a pod'}`);

describe('deploymentAvailable', () => {
  it('when all replicas are available, then it passes', () => {
    const r = deploymentAvailable(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /2\/2 replicas available/);
  });
  it('when replicas are missing or the Deployment is absent, then it fails', () => {
    const s = healthySnapshot();
    s.deployment = deployment(1, 2);
    assert.equal(deploymentAvailable(s).status, 'fail');
    s.deployment = undefined;
    const r = deploymentAvailable(s);
    assert.equal(r.status, 'fail');
    assert.match(r.fix ?? '', /--release/);
  });
  it('when the rollout stalled, then it reports its message', () => {
    const s = healthySnapshot();
    s.deployment = deployment(1, 2);
    must(must(s.deployment.status, 'the Deployment status').conditions, 'its conditions').push({
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "blog-api-7d9f8b6c5" has timed out progressing.',
    });
    assert.match(deploymentAvailable(s).detail, /timed out progressing/);
  });
});

describe('podsReady', () => {
  it('when every pod is Ready, then it passes', () => {
    assert.equal(podsReady(healthySnapshot()).status, 'pass');
  });
  it('when a pod crashloops, then it explains and points at its previous logs', () => {
    const s = healthySnapshot();
    s.pods = [readyPod(), crashLoopingPod()];
    const r = podsReady(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /1\/2 pods ready/);
    assert.match(r.detail, /CrashLoopBackOff, last exit 1 \(Error\), 6 restarts/);
    assert.match(r.fix ?? '', /logs blog-api-7d9f8b6c5-q8w9e -c api --previous/);
  });
  it('when an image cannot be pulled, then it tells how to get a local image into the cluster', () => {
    const s = healthySnapshot();
    s.pods = [imagePullPod()];
    const r = podsReady(s);
    assert.equal(r.status, 'fail');
    assert.match(r.fix ?? '', /kind load docker-image/);
  });
  it('when the container runs but is not ready, then it blames readiness', () => {
    const s = healthySnapshot();
    const pod = readyPod();
    statusOf(pod).conditions = [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'False' },
    ];
    s.pods = [pod];
    assert.match(podsReady(s).detail, /running but not ready/);
  });
  it('when a pod cannot be scheduled, then it reports why', () => {
    const s = healthySnapshot();
    const pod = readyPod();
    pod.status = {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/1 nodes are available: 1 Insufficient memory.',
        },
      ],
    };
    s.pods = [pod];
    assert.match(podsReady(s).detail, /Insufficient memory/);
  });
  it('when no pod exists, then it fails', () => {
    const s = healthySnapshot();
    s.pods = [];
    assert.equal(podsReady(s).status, 'fail');
  });
});

describe('restarts', () => {
  it('when nothing restarted, then it passes; after restarts, then it warns with the last termination', () => {
    assert.equal(restarts(healthySnapshot()).status, 'pass');
    const s = healthySnapshot();
    s.pods = [crashLoopingPod()];
    const r = restarts(s);
    assert.equal(r.status, 'warn');
    assert.match(r.detail, /6x \(last: exit 1 Error\)/);
  });
  it('when a container was OOMKilled, then it suggests more memory', () => {
    const s = healthySnapshot();
    const pod = readyPod();
    const api = must(statusOf(pod).containerStatuses?.[0], 'the api container status');
    api.restartCount = 2;
    api.lastState = { terminated: { exitCode: 137, reason: 'OOMKilled' } };
    s.pods = [pod];
    assert.match(restarts(s).fix ?? '', /resources\.limits\.memory/);
  });
});

describe('an image the node does not have (pull policy Never, the lab and kind/minikube local images)', () => {
  it('when the migrate init container cannot start for it, then the pod check names the image and how to load it', () => {
    const s = healthySnapshot();
    s.pods = [readyPod(), withMigrate(crashLoopingPod('blog-api-5c4b-new'), 'never-pull')];
    const r = podsReady(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /the node has no image localhost\/blog-api:missing and its pull policy is Never/);
    assert.match(r.fix ?? '', /npm run lab:image/);
  });
});
