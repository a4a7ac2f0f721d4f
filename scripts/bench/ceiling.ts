/**
 * Runs scripts/bench/ceiling-server.ts as its own process (like the service, so neither shares the
 * load generator's or the other's event loop) against a private Redis, and puts the page it serves
 * there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import ts from 'typescript';
import { freePort } from '../../test/helpers/process.js';
import { readPeakRss } from './service.js';

export interface Ceiling {
  readonly url: string;
  readonly pid: number;
  readonly contentType: string;
  /** Its stdout and stderr. */
  readonly logFile: string;
  /** Stores the bytes the ceiling answers with (one SET; the server reads them with one GET per request). */
  setPage(bytes: Buffer): Promise<void>;
  peakRssBytes(): number | undefined;
  /** SIGTERM by PID (SIGKILL after 5 s), then the key is deleted. Idempotent. */
  stop(): Promise<void>;
}

/** Ceilings still running, so an abort (signal, watchdog) can stop them by PID. */
const running = new Set<Ceiling>();

export async function stopAllCeilings(): Promise<void> {
  await Promise.allSettled([...running].map((c) => c.stop()));
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

/**
 * The server compiled to plain JavaScript, so it runs under bare node as the service runs from
 * dist/ (tsx's loader would add memory and a loader thread the service does not have). Written
 * under node_modules/.cache so its imports (koa, ioredis) resolve from the repository.
 */
function compileCeilingServer(root: string): string {
  const source = readFileSync(join(root, 'scripts/bench/ceiling-server.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const dir = join(root, 'node_modules/.cache/blog-api-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'ceiling-server.mjs');
  writeFileSync(file, outputText);
  return file;
}

export async function startCeiling(options: {
  /** Repository root (where tsx and the script live). */
  root: string;
  redisUrl: string;
  contentType: string;
  page: Buffer;
  logDir: string;
  /** Node flags for the ceiling's process (the profile runs it under --cpu-prof). */
  nodeArgs?: readonly string[];
}): Promise<Ceiling> {
  const key = `bench:ceiling:${process.pid}:page`;
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  await redis.set(key, options.page);
  const port = await freePort();
  const logFile = join(options.logDir, 'ceiling.log');
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), compileCeilingServer(options.root)], {
      cwd: options.root,
      env: {
        ...process.env,
        CEILING_PORT: String(port),
        CEILING_REDIS_URL: options.redisUrl,
        CEILING_KEY: key,
        CEILING_CONTENT_TYPE: options.contentType,
      },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let stopping: Promise<void> | undefined;
  const ceiling: Ceiling = {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid ?? -1,
    contentType: options.contentType,
    logFile,
    async setPage(bytes) {
      await redis.set(key, bytes);
    },
    peakRssBytes: () => (child.pid ? readPeakRss(child.pid) : undefined),
    stop() {
      stopping ??= (async () => {
        if (!(await waitExit(child, 0))) {
          child.kill('SIGTERM');
          if (!(await waitExit(child, 5000))) {
            child.kill('SIGKILL');
            await waitExit(child, 5000);
          }
        }
        await redis.del(key).catch(() => undefined);
        redis.disconnect();
        running.delete(ceiling);
      })();
      return stopping;
    },
  };
  running.add(ceiling);
  // Ready when it serves the page: bounded to 100 tries, 100 ms apart.
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(ceiling.url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return ceiling;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await ceiling.stop();
  throw new Error(`the ceiling server did not come up; log: ${logFile}`);
}
