/**
 * The service under test, as a separate process (so the load generator does not share its event
 * loop), each on a fresh database that is dropped afterwards, with its Redis namespace removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { freePort, waitForReady } from '../../test/helpers/process.js';

export interface Servers {
  /** MariaDB server URL without a database, e.g. mysql://root@127.0.0.1:3306 */
  mysqlUrl: string;
  /** Redis used when a configuration has its cache on. */
  redisUrl: string;
}

export interface ServiceSpec {
  /** Short name; part of the database name (letters, digits, underscores). */
  label: string;
  cache: boolean;
  /** DB_* and other variables for this configuration. */
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: readonly string[];
}

export interface BenchService {
  readonly label: string;
  readonly pid: number;
  readonly baseUrl: string;
  readonly metricsUrl: string;
  readonly databaseName: string;
  readonly databaseUrl: string;
  readonly logFile: string;
  /** Peak resident set size of the process so far (VmHWM from /proc), if readable. */
  peakRssBytes(): number | undefined;
  /** SIGTERM (SIGKILL after 10 s), then drop the database and the Redis namespace. Idempotent. */
  stop(): Promise<void>;
}

export interface Launcher {
  start(spec: ServiceSpec): Promise<BenchService>;
  /** Stops every service still running (used on errors, signals and the watchdog). */
  stopAll(): Promise<void>;
}

/** Where the service comes from: the compiled dist (default) or the TypeScript sources via tsx. */
export type ServiceSource = 'dist' | 'source';

/** The newest .ts under app/ newer than its compiled .js means `npm run build` is due. */
export function staleBuild(root: string): string | undefined {
  const main = join(root, 'dist/app/main.js');
  if (!existsSync(main)) return 'dist/app/main.js is missing: run `npm run build` first (or pass --source)';
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSafe(join(root, dir))) {
      const rel = `${dir}/${entry}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (rel.endsWith('.ts')) {
        const js = join(root, 'dist', rel.replace(/\.ts$/, '.js'));
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(join(root, rel)).mtimeMs) stale.push(rel);
      }
    }
  };
  walk('app');
  return stale.length > 0
    ? `dist is older than ${stale.slice(0, 3).join(', ')}: run \`npm run build\` first (or pass --source)`
    : undefined;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
/** A memory line of /proc/<pid>/status in bytes (VmHWM: peak resident set, VmRSS: current). */
function procStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const readPeakRss = (pid: number): number | undefined => procStatusBytes(pid, 'VmHWM');

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. CPU time per
 * request holds up on a shared machine where requests per second do not: it measures the work
 * a request costs, not how much of the CPU the process happened to get.
 */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}
export const readRss = (pid: number): number | undefined => procStatusBytes(pid, 'VmRSS');

/**
 * Resets the process's VmHWM to its current RSS (writing 5 to /proc/<pid>/clear_refs, Linux >= 4.0;
 * nothing else about the process changes), so a later VmHWM covers only what came after. False
 * when the kernel or permissions do not allow it.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

async function dropDatabase(mysqlUrl: string, name: string): Promise<void> {
  const connection = await createConnection({ uri: mysqlUrl, connectTimeout: 5000 });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

/** Deletes every key of a database's cache namespace (`blog:<database>:...`, see app/cache/keys.ts). */
async function dropRedisNamespace(redisUrl: string, databaseName: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await redis.connect();
    let cursor = '0';
    for (let round = 0; round < 10_000; round += 1) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `blog:${databaseName}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export function createLauncher(options: {
  root: string;
  servers: Servers;
  source: ServiceSource;
  logDir: string;
  logLevel: string;
  nodeOptions: string | undefined;
}): Launcher {
  const running = new Set<BenchService>();
  const run = `${process.pid}_${randomBytes(3).toString('hex')}`;

  async function start(spec: ServiceSpec): Promise<BenchService> {
    const databaseName = `bench_${spec.label}_${run}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
    const databaseUrl = `${options.servers.mysqlUrl}/${databaseName}`;
    const port = await freePort();
    const metricsPort = await freePort();
    const logFile = join(options.logDir, `${databaseName}.log`);
    const fd = openSync(logFile, 'w');
    const args = [
      ...(spec.nodeArgs ?? []),
      ...(options.source === 'dist' ? ['dist/app/main.js'] : ['--import', 'tsx', 'app/main.ts']),
    ];
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, args, {
        cwd: options.root,
        env: {
          ...process.env,
          // Only the service's own settings: the bench's NODE_OPTIONS (if any) must not leak into it.
          NODE_OPTIONS: options.nodeOptions ?? '',
          NODE_ENV: 'development',
          PORT: String(port),
          METRICS_PORT: String(metricsPort),
          DATABASE_URL: databaseUrl,
          REDIS_URL: spec.cache ? options.servers.redisUrl : '',
          JWT_SECRET: 'bench-secret-not-for-production',
          LOG_LEVEL: options.logLevel,
          MIGRATE_ON_START: 'true',
          SHUTDOWN_GRACE_MS: '5000',
          // Every request of the bench comes from one loopback client: the per-client limits that
          // protect a public API would turn the seeding and the mix into 429s.
          RATE_LIMIT_AUTH_PER_MINUTE: '0',
          RATE_LIMIT_WRITES_PER_MINUTE: '0',
          ...spec.env,
        },
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stopping: Promise<void> | undefined;
    const service: BenchService = {
      label: spec.label,
      pid: child.pid ?? -1,
      baseUrl: `http://127.0.0.1:${port}`,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      databaseName,
      databaseUrl,
      logFile,
      peakRssBytes: () => (child.pid ? readPeakRss(child.pid) : undefined),
      stop() {
        stopping ??= (async () => {
          if (!(await waitExit(child, 0))) {
            child.kill('SIGTERM');
            if (!(await waitExit(child, 10_000))) {
              child.kill('SIGKILL');
              await waitExit(child, 5000);
            }
          }
          running.delete(service);
          const cleanups = [dropDatabase(options.servers.mysqlUrl, databaseName)];
          if (spec.cache) cleanups.push(dropRedisNamespace(options.servers.redisUrl, databaseName));
          const results = await Promise.allSettled(cleanups);
          for (const r of results) {
            if (r.status === 'rejected') process.stderr.write(`bench: cleanup of ${databaseName} failed: ${String(r.reason)}\n`);
          }
        })();
        return stopping;
      },
    };
    running.add(service);
    try {
      await Promise.race([
        waitForReady(port, 60_000),
        exited.then(() => {
          throw new Error(`service ${spec.label} exited during startup; log: ${logFile}`);
        }),
      ]);
    } catch (err) {
      await service.stop();
      throw err;
    }
    return service;
  }

  return {
    start,
    async stopAll() {
      await Promise.allSettled([...running].map((s) => s.stop()));
    },
  };
}
