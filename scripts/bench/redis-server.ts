/**
 * Private redis-server processes for the bench, on free loopback ports, without persistence.
 * The service gets one and the ceiling another, so INFO commandstats of each counts only its own
 * client (the shared Redis on 6379 serves other people's tests). Stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from '../../test/helpers/process.js';
import { parseCommandStats, type CommandStats } from './redis-stats.js';

export interface PrivateRedis {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Per-command call counts so far (INFO commandstats). */
  commandStats(): Promise<CommandStats>;
  /** SIGTERM by PID (SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

/** Stop functions of the servers still running, so an abort (signal, watchdog) can stop them by PID. */
const running = new Set<() => Promise<void>>();

export async function stopAllRedis(): Promise<void> {
  await Promise.allSettled([...running].map((stop) => stop()));
}

/** An existing Redis (BENCH_REDIS_URL): measured the same way, but shared with whoever else uses it. */
export async function connectRedis(name: string, url: string): Promise<PrivateRedis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  await client.connect();
  return {
    name,
    url,
    pid: -1,
    async commandStats() {
      return parseCommandStats(await client.info('commandstats'));
    },
    stop() {
      client.disconnect();
      return Promise.resolve();
    },
  };
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

export async function startPrivateRedis(name: string, dir: string): Promise<PrivateRedis> {
  const port = await freePort();
  const home = join(dir, `redis-${name}`);
  mkdirSync(home, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      home,
      '--logfile',
      join(home, 'redis.log'),
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, enableReadyCheck: false });
  // Refused connections while the server starts are expected; the PING loop below reports failure.
  client.on('error', () => undefined);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      client.disconnect();
      if (!(await waitExit(child, 0))) {
        child.kill('SIGTERM');
        if (!(await waitExit(child, 5000))) {
          child.kill('SIGKILL');
          await waitExit(child, 5000);
        }
      }
      running.delete(stop);
    })();
    return stopping;
  };
  running.add(stop);
  try {
    // Bounded: 50 tries, 100 ms apart.
    let up = false;
    for (let i = 0; i < 50 && !up; i += 1) {
      if (child.exitCode !== null) throw new Error(`redis-server (${name}) exited at startup; log: ${home}/redis.log`);
      try {
        if (client.status === 'wait' || client.status === 'end') await client.connect();
        await client.ping();
        up = true;
      } catch {
        await sleep(100);
      }
    }
    if (!up) throw new Error(`redis-server (${name}) on port ${port} did not answer PING`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    name,
    url,
    pid: child.pid ?? -1,
    async commandStats() {
      return parseCommandStats(await client.info('commandstats'));
    },
    stop,
  };
}
