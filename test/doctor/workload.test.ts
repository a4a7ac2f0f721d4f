// Deployment, pod and restart diagnosis on realistic objects (no cluster is used).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deploymentAvailable, podsReady, restarts } from '../../scripts/doctor/checks/workload.js';
import { crashLoopingPod, deployment, healthySnapshot, imagePullPod, readyPod } from './fixtures.js';

describe('deploymentAvailable', () => {
  it('passes when all replicas are available', () => {
    const r = deploymentAvailable(healthySnapshot());
    assert.equal(r.status, 'pass');
    assert.match(r.detail, /2\/2 replicas available/);
  });
  it('fails when replicas are missing, and when the Deployment is absent', () => {
    const s = healthySnapshot();
    s.deployment = deployment(1, 2);
    assert.equal(deploymentAvailable(s).status, 'fail');
    s.deployment = undefined;
    const r = deploymentAvailable(s);
    assert.equal(r.status, 'fail');
    assert.match(r.fix ?? '', /--release/);
  });
  it('reports a stalled rollout with its message', () => {
    const s = healthySnapshot();
    s.deployment = deployment(1, 2);
    s.deployment.status!.conditions!.push({
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "blog-api-7d9f8b6c5" has timed out progressing.',
    });
    assert.match(deploymentAvailable(s).detail, /timed out progressing/);
  });
});

describe('podsReady', () => {
  it('passes when every pod is Ready', () => {
    assert.equal(podsReady(healthySnapshot()).status, 'pass');
  });
  it('explains a crashlooping pod and points at its previous logs', () => {
    const s = healthySnapshot();
    s.pods = [readyPod(), crashLoopingPod()];
    const r = podsReady(s);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /1\/2 pods ready/);
    assert.match(r.detail, /CrashLoopBackOff, last exit 1 \(Error\), 6 restarts/);
    assert.match(r.fix ?? '', /logs blog-api-7d9f8b6c5-q8w9e -c api --previous/);
  });
  it('tells how to get a local image into the cluster on ErrImagePull', () => {
    const s = healthySnapshot();
    s.pods = [imagePullPod()];
    const r = podsReady(s);
    assert.equal(r.status, 'fail');
    assert.match(r.fix ?? '', /kind load docker-image/);
  });
  it('blames readiness when the container runs but is not ready', () => {
    const s = healthySnapshot();
    const pod = readyPod();
    pod.status!.conditions = [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'False' },
    ];
    s.pods = [pod];
    assert.match(podsReady(s).detail, /running but not ready/);
  });
  it('reports unschedulable pods', () => {
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
  it('fails when no pod exists', () => {
    const s = healthySnapshot();
    s.pods = [];
    assert.equal(podsReady(s).status, 'fail');
  });
});

describe('restarts', () => {
  it('passes with no restarts and warns with the last termination', () => {
    assert.equal(restarts(healthySnapshot()).status, 'pass');
    const s = healthySnapshot();
    s.pods = [crashLoopingPod()];
    const r = restarts(s);
    assert.equal(r.status, 'warn');
    assert.match(r.detail, /6x \(last: exit 1 Error\)/);
  });
  it('suggests more memory after an OOMKill', () => {
    const s = healthySnapshot();
    const pod = readyPod();
    pod.status!.containerStatuses![0]!.restartCount = 2;
    pod.status!.containerStatuses![0]!.lastState = { terminated: { exitCode: 137, reason: 'OOMKilled' } };
    s.pods = [pod];
    assert.match(restarts(s).fix ?? '', /resources\.limits\.memory/);
  });
});
