// The migrations: the chart runs `npm run migrate -- --wait-seconds=N` in the init container
// "migrate" of every API pod (the migrator's lock lets one apply, the others find nothing to do).
// Its state and, when it failed, its log say what happened. A release of an older chart ran a
// hook Job instead: judged as before when one is found.
import { fail, pass, warn } from '../result.js';
import type { CheckResult, ContainerStatus, Job, Pod, Snapshot } from '../types.js';

export const MIGRATE_CONTAINER = 'migrate';
// the id --json consumers know (it predates the init container)
const ID = 'migration-job';
const TITLE = 'Migrations';

const created = (j: Job): number => new Date(j.metadata?.creationTimestamp ?? 0).getTime();
const podName = (p: Pod): string => p.metadata?.name ?? '?';

/** The migrate init container's status in a pod, if the pod has one. */
export function migrateStatus(p: Pod): ContainerStatus | undefined {
  return p.status?.initContainerStatuses?.find((c) => c.name === MIGRATE_CONTAINER);
}

/** True when the container failed: it exited non-zero, or crash-loops after doing so. */
export function migrateFailed(c: ContainerStatus): boolean {
  const exited = c.state?.terminated;
  if (exited) return exited.exitCode !== 0;
  const last = c.lastState?.terminated;
  return c.state?.waiting?.reason === 'CrashLoopBackOff' || (last !== undefined && last.exitCode !== 0 && !c.state?.running);
}

/** The error the migrator logged (pino JSON: level 60 "migration failed", err.message), else the last line. */
export function migrationError(log: string | undefined): string | undefined {
  if (!log) return undefined;
  const lines = log.split('\n').filter((l) => l.trim());
  for (const line of [...lines].reverse()) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; code?: string } };
      if ((entry.level ?? 0) >= 50) {
        const why = entry.err?.message ?? entry.msg ?? '';
        return entry.err?.code && !why.includes(entry.err.code) ? `${why} (${entry.err.code})` : why;
      }
    } catch {
      // not JSON (npm's own lines): keep looking
    }
  }
  return lines.at(-1)?.slice(0, 300);
}

/** The usual fix for what the migrator logged. */
function fixFor(error: string | undefined, s: Snapshot, pod: string): string {
  const logs = `kubectl -n ${s.namespace} logs ${pod} -c ${MIGRATE_CONTAINER} --previous`;
  const retry = `the kubelet retries it with back-off (or delete the pod); ${logs}`;
  if (!error) return `read the log: ${logs}`;
  if (/access denied|ER_ACCESS_DENIED|ER_DBACCESS_DENIED/i.test(error)) {
    return `the database refuses the credentials: fix DATABASE_URL (existingSecret) or mysql.auth.* so that they match the database's user, then ${retry}`;
  }
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|not reachable/i.test(error)) {
    return `the database was not reachable within migrations.waitSeconds: check DATABASE_URL's host and that MySQL runs and is ready, then ${retry}`;
  }
  return `fix the failing migration or the database it runs against, then ${retry}`;
}

function fromJob(s: Snapshot, job: Job): CheckResult {
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
      ID,
      TITLE,
      `hook Job ${name} failed: ${failed.reason ?? 'Failed'} (${failed.message ?? ''})${why}`,
      `kubectl -n ${s.namespace} logs job/${name}; fix the cause (DATABASE_URL, database reachable, grants), then helm upgrade ${s.release} reruns it`,
    );
  }
  if (job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) {
    return pass(ID, TITLE, `hook Job ${name} completed`);
  }
  return warn(
    ID,
    TITLE,
    `hook Job ${name} is still running (${job.status?.active ?? 0} active pod(s))`,
    `wait, or kubectl -n ${s.namespace} logs job/${name} -f`,
  );
}

export function migrations(s: Snapshot): CheckResult {
  const withMigrate = s.pods.flatMap((p) => {
    const c = migrateStatus(p);
    return c ? [{ pod: podName(p), c }] : [];
  });
  const failed = withMigrate.filter(({ c }) => migrateFailed(c));
  if (failed.length) {
    const [first] = failed;
    const details = failed.map(({ pod, c }) => {
      const exit = c.state?.terminated?.exitCode ?? c.lastState?.terminated?.exitCode;
      const error = migrationError(s.migrationLogs?.[pod]);
      return `${pod}: init container ${MIGRATE_CONTAINER} failed${exit !== undefined ? ` (exit ${exit}` : ' ('}${c.restartCount ? `, ${c.restartCount} restarts` : ''})${error ? `: ${error}` : ''}`;
    });
    const ready = s.pods.length - failed.length;
    const note = ready > 0 ? `; ${ready} older pod(s) still serve with the previous schema` : '';
    return fail(
      ID,
      TITLE,
      `${details.join('; ')}${note}`,
      fixFor(migrationError(s.migrationLogs?.[first?.pod ?? '']), s, first?.pod ?? '<pod>'),
    );
  }
  const running = withMigrate.filter(({ c }) => c.state?.running);
  if (running.length) {
    return warn(
      ID,
      TITLE,
      `migrations running in ${running.map((r) => r.pod).join(', ')} (waiting up to migrations.waitSeconds for the database, then applying)`,
      `wait, or kubectl -n ${s.namespace} logs ${running[0]?.pod ?? '<pod>'} -c ${MIGRATE_CONTAINER} -f`,
    );
  }
  const blocked = withMigrate.filter(({ c }) => c.state?.waiting && c.state.waiting.reason !== 'PodInitializing');
  if (blocked.length) {
    return warn(
      ID,
      TITLE,
      `migrations not started in ${blocked.map(({ pod, c }) => `${pod} (${c.state?.waiting?.reason ?? 'waiting'})`).join(', ')}`,
      'the migrate container cannot start: see the pod check above (image, Secret)',
    );
  }
  const done = withMigrate.filter(({ c }) => c.state?.terminated?.exitCode === 0);
  if (done.length) {
    return pass(ID, TITLE, `applied by the ${MIGRATE_CONTAINER} init container of ${done.length} pod(s)`);
  }
  // an older chart: the hook Job (newest first)
  const job = [...s.migrationJobs].sort((a, b) => created(b) - created(a))[0];
  if (job) return fromJob(s, job);
  const podsReady =
    s.pods.length > 0 && s.pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (podsReady) return pass(ID, TITLE, 'no migrate init container or Job found; the pods are ready, so the schema is current');
  return warn(
    ID,
    TITLE,
    'no migrate init container (migrations.enabled=false?) nor Job found, and the pods are not ready',
    `run the migrations (npm run migrate against DATABASE_URL, or migrations.enabled=true); kubectl -n ${s.namespace} get events`,
  );
}
