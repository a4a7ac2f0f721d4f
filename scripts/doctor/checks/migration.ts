// The migration hook Job (`npm run migrate`, run by Helm before the pods roll).
import { fail, pass, warn } from '../result.js';
import type { CheckResult, Job, Snapshot } from '../types.js';

const created = (j: Job): number => new Date(j.metadata?.creationTimestamp ?? 0).getTime();

export function migrationJob(s: Snapshot): CheckResult {
  const id = 'migration-job';
  const title = 'Migration Job';
  const job = [...s.migrationJobs].sort((a, b) => created(b) - created(a))[0];
  const podsReady =
    s.pods.length > 0 && s.pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (!job) {
    // hook-delete-policy hook-succeeded removes a Job that worked; ready pods prove the schema.
    if (podsReady) return pass(id, title, 'no Job left (deleted after success); pods are ready, so the schema is current');
    return warn(
      id,
      title,
      'no migration Job found and the pods are not ready',
      `rerun it with helm upgrade ${s.release} (migrations.enabled=true); kubectl -n ${s.namespace} get events`,
    );
  }
  const name = job.metadata?.name ?? '?';
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed) {
    const terminated = s.migrationPods
      .flatMap((p) => p.status?.containerStatuses ?? [])
      .map((c) => c.state?.terminated)
      .find((t) => t && t.exitCode !== 0);
    const why = terminated
      ? `; container exit ${terminated.exitCode}${terminated.message ? `: ${terminated.message.trim()}` : ''}`
      : '';
    return fail(
      id,
      title,
      `${name} failed: ${failed.reason ?? 'Failed'} (${failed.message ?? ''})${why}`,
      `kubectl -n ${s.namespace} logs job/${name}; fix the cause (DATABASE_URL, database reachable, grants), then helm upgrade ${s.release} reruns it`,
    );
  }
  if (job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) {
    return pass(id, title, `${name} completed`);
  }
  return warn(
    id,
    title,
    `${name} is still running (${job.status?.active ?? 0} active pod(s))`,
    `wait, or kubectl -n ${s.namespace} logs job/${name} -f`,
  );
}
