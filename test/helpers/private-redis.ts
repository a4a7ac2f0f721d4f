import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './process.js';

/** A redis-server of the test's own on a free loopback port: the shared one on 6379 is never stopped. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Commands the server has executed, by command, from INFO commandstats (the INFO calls left out). */
  commandCalls(): Promise<Map<string, number>>;
  /** SIGSTOP / SIGCONT by PID: a Redis that keeps its connections open and answers nothing, then continues. */
  pause(): void;
  resume(): void;
  /** SIGKILL by PID (a paused one too); resolves once it has exited. */
  kill(): Promise<void>;
}

/** On a free port, or on `port`: the port of one that was killed, to restart it empty. */
export async function startPrivateRedis(port?: number): Promise<PrivateRedis> {
  port ??= await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error('redis-server exited'));
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  // One connection for every reading, made now: a reading's own connection handshake (ioredis
  // sends CLIENT SETINFO and INFO) must not show up as commands between two readings.
  const observer = new Redis(url, { maxRetriesPerRequest: 1 });
  await observer.ping();
  return {
    port,
    url,
    async commandCalls() {
      const text = await observer.info('commandstats');
      const calls = new Map<string, number>();
      for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        const [, command = '', count = '0'] = match;
        if (command !== 'info') calls.set(command, Number(count));
      }
      return calls;
    },
    pause() {
      if (!child.kill('SIGSTOP')) throw new Error('could not stop redis-server');
    },
    resume() {
      if (!child.kill('SIGCONT')) throw new Error('could not continue redis-server');
    },
    kill() {
      observer.disconnect();
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}

/** Total commands between two commandCalls() readings. */
export function commandsBetween(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [command, calls] of after) {
    const d = calls - (before.get(command) ?? 0);
    if (d > 0) delta[command] = d;
  }
  return delta;
}
