// The API Deployment and its pods: available replicas, container states, restarts.
import { fail, pass, warn } from '../result.js';
import type { CheckResult, ContainerStatus, Pod, Snapshot } from '../types.js';

export function deploymentAvailable(s: Snapshot): CheckResult {
  const id = 'deployment-available';
  const title = 'Deployment available';
  const d = s.deployment;
  if (!d) {
    return fail(
      id,
      title,
      `no Deployment of release "${s.release}" in namespace "${s.namespace}"`,
      `check the release and namespace: helm list -n ${s.namespace}; pass --release/--namespace`,
    );
  }
  const name = d.metadata?.name ?? s.release;
  const desired = d.spec?.replicas ?? 1;
  const available = d.status?.availableReplicas ?? 0;
  const updated = d.status?.updatedReplicas ?? 0;
  const stuck = d.status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (stuck) {
    return fail(
      id,
      title,
      `rollout of ${name} stalled: ${stuck.message ?? stuck.reason}`,
      `see the pod checks below; kubectl -n ${s.namespace} rollout status deployment/${name}`,
    );
  }
  if (available < desired) {
    return fail(
      id,
      title,
      `${available}/${desired} replicas available (${updated} updated)`,
      `see the pod checks below; kubectl -n ${s.namespace} describe deployment/${name}`,
    );
  }
  return pass(id, title, `${available}/${desired} replicas available`);
}

/** Why a container is not running, with the fix that usually applies. */
function containerProblem(pod: Pod, c: ContainerStatus, ns: string): { detail: string; fix: string } | undefined {
  const podName = pod.metadata?.name ?? '?';
  const waiting = c.state?.waiting;
  const last = c.lastState?.terminated;
  switch (waiting?.reason) {
    case 'CrashLoopBackOff': {
      const why = last ? `last exit ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : 'crashing';
      return {
        detail: `${podName}/${c.name} is in CrashLoopBackOff, ${why}, ${c.restartCount} restarts`,
        fix:
          last?.reason === 'OOMKilled'
            ? 'raise resources.limits.memory'
            : `kubectl -n ${ns} logs ${podName} -c ${c.name} --previous; usual causes: DATABASE_URL unreachable, JWT_SECRET unset with NODE_ENV=production`,
      };
    }
    case 'ErrImageNeverPull':
      // imagePullPolicy Never (local images): the node simply does not have it
      return {
        detail: `${podName}/${c.name}: the node has no image ${c.image} and its pull policy is Never (${waiting.message ?? waiting.reason})`,
        fix: `put the image on the node (the project's lab: npm run lab:image, or scripts/lab/import.sh ${c.image}; kind load docker-image; minikube image load), or set image.repository/image.tag to an image the nodes have`,
      };
    case 'ImagePullBackOff':
    case 'ErrImagePull':
    case 'InvalidImageName':
      return {
        detail: `${podName}/${c.name} cannot pull ${c.image}: ${waiting.message ?? waiting.reason}`,
        fix: 'load a local image into the cluster (kind load docker-image / minikube image load; the lab: npm run lab:image) or set image.repository, image.tag and image.pullPolicy',
      };
    case 'CreateContainerConfigError':
      return {
        detail: `${podName}/${c.name}: ${waiting.message ?? waiting.reason}`,
        fix: 'create the Secret or ConfigMap key it names (existingSecret must hold DATABASE_URL, REDIS_URL, JWT_SECRET)',
      };
  }
  return undefined;
}

export function podsReady(s: Snapshot): CheckResult {
  const id = 'pods-ready';
  const title = 'Pods ready';
  if (s.pods.length === 0) {
    return fail(
      id,
      title,
      'no API pods exist',
      `kubectl -n ${s.namespace} describe replicaset -l app.kubernetes.io/instance=${s.release} (quota, admission or scheduling)`,
    );
  }
  const problems: { detail: string; fix: string }[] = [];
  let ready = 0;
  for (const pod of s.pods) {
    const name = pod.metadata?.name ?? '?';
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
      ready++;
      continue;
    }
    const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (unschedulable) {
      problems.push({
        detail: `${name} is not scheduled: ${unschedulable.message ?? unschedulable.reason}`,
        fix: 'free or add node capacity, or lower resources.requests',
      });
      continue;
    }
    // init containers first: the migrate container runs the same image before the API starts
    const containerIssue = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
      .map((c) => containerProblem(pod, c, s.namespace))
      .find((p) => p !== undefined);
    problems.push(
      containerIssue ?? {
        detail: `${name} is running but not ready (/readyz fails)`,
        fix: `/readyz needs the database and applied migrations: kubectl -n ${s.namespace} logs ${name}; see the migration check`,
      },
    );
  }
  if (problems.length === 0) return pass(id, title, `${ready}/${s.pods.length} pods ready`);
  return fail(
    id,
    title,
    `${ready}/${s.pods.length} pods ready; ${problems.map((p) => p.detail).join('; ')}`,
    [...new Set(problems.map((p) => p.fix))].join('; '),
  );
}

export function restarts(s: Snapshot): CheckResult {
  const id = 'restarts';
  const title = 'Container restarts';
  const restarted = s.pods.flatMap((pod) =>
    (pod.status?.containerStatuses ?? []).filter((c) => c.restartCount > 0).map((c) => ({ pod: pod.metadata?.name ?? '?', c })),
  );
  if (restarted.length === 0) return pass(id, title, s.pods.length ? 'no container restarted' : 'no pods');
  const oom = restarted.some(({ c }) => c.lastState?.terminated?.reason === 'OOMKilled');
  const detail = restarted
    .map(({ pod, c }) => {
      const t = c.lastState?.terminated;
      return `${pod}/${c.name} ${c.restartCount}x${t ? ` (last: exit ${t.exitCode}${t.reason ? ` ${t.reason}` : ''})` : ''}`;
    })
    .join('; ');
  const first = restarted[0];
  return warn(
    id,
    title,
    detail,
    oom
      ? 'containers were OOMKilled: raise resources.limits.memory'
      : `kubectl -n ${s.namespace} logs ${first?.pod} --previous; a failing liveness probe also restarts (probes.liveness)`,
  );
}
