/**
 * One run of wrk: bounded by its own -d and by a kill timer, its BENCH_WRK line parsed (the line
 * printed by the done() of scripts/bench/wrk-lua.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrkScript, type WrkScriptOptions } from './wrk-lua.js';

export interface WrkOptions extends WrkScriptOptions {
  url: string;
  connections: number;
  /** wrk threads; 1 leaves the other core of a 2-core machine to the server. */
  threads: number;
  durationSeconds: number;
  /** A request slower than this counts as a timeout error (wrk's default of 2 s would hide the knee). */
  timeoutSeconds: number;
  /** Clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK). */
  clockTicks: number;
}

export interface WrkErrors {
  connect: number;
  read: number;
  write: number;
  /** Responses with status >= 400 (wrk counts these, and only these, as status errors). */
  status: number;
  timeout: number;
}

export interface WrkReport {
  requests: number;
  durationSeconds: number;
  bytes: number;
  errors: WrkErrors;
  latencyMs: { min: number; mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  /** wrk's own user + system CPU seconds (undefined when /proc was unreadable). */
  cpuSeconds: number | undefined;
}

/** Socket-level errors (everything but HTTP status errors). */
export function socketErrors(e: WrkErrors): number {
  return e.connect + e.read + e.write + e.timeout;
}

/** utime + stime in seconds from the fields after the command name of /proc/<pid>/stat. */
export function cpuSecondsFromStat(afterCommand: string, clockTicks: number): number | undefined {
  // afterCommand starts at field 3 (state); utime and stime are fields 14 and 15.
  const fields = afterCommand.trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime) || fields.length < 13) return undefined;
  return (utime + stime) / clockTicks;
}

interface RawReport {
  requests: number;
  durationUs: number;
  bytes: number;
  errors: WrkErrors;
  latencyUs: { min: number; mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  procStat: string;
}

/** The BENCH_WRK line of wrk's output, in milliseconds and seconds. Throws when it is missing. */
export function parseWrkOutput(stdout: string, clockTicks: number): WrkReport {
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_WRK '));
  if (!line) throw new Error(`wrk printed no BENCH_WRK line; output: ${stdout.slice(-300)}`);
  const raw = JSON.parse(line.slice('BENCH_WRK '.length)) as RawReport;
  const ms = (us: number) => us / 1000;
  const l = raw.latencyUs;
  return {
    requests: raw.requests,
    durationSeconds: raw.durationUs / 1e6,
    bytes: raw.bytes,
    errors: raw.errors,
    latencyMs: {
      min: ms(l.min),
      mean: ms(l.mean),
      p50: ms(l.p50),
      p90: ms(l.p90),
      p99: ms(l.p99),
      p999: ms(l.p999),
      max: ms(l.max),
    },
    cpuSeconds: cpuSecondsFromStat(raw.procStat, clockTicks),
  };
}

/** wrk processes still running, so an abort (signal, watchdog) can stop them by PID. */
const running = new Set<ChildProcess>();

export function killAllWrk(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Runs wrk once; killed (and rejected) if it outlives its duration by 30 s. */
export async function runWrk(options: WrkOptions): Promise<WrkReport> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const script = join(dir, 'script.lua');
  writeFileSync(script, wrkScript(options));
  const args = [
    `-t${options.threads}`,
    `-c${Math.max(options.connections, options.threads)}`,
    `-d${options.durationSeconds}s`,
    '--timeout',
    `${options.timeoutSeconds}s`,
    '-s',
    script,
    options.url,
  ];
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      running.add(child);
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), (options.durationSeconds + 30) * 1000);
      child.once('error', (e) => {
        clearTimeout(killer);
        running.delete(child);
        reject(e);
      });
      // 'close', not 'exit': the BENCH_WRK line may still be in the pipe when the process exits.
      child.once('close', (code, signal) => {
        clearTimeout(killer);
        running.delete(child);
        if (code === 0) resolve(out);
        else reject(new Error(`wrk ${args.join(' ')} exited with ${signal ?? String(code)}: ${err.trim() || out.slice(-300)}`));
      });
    });
    return parseWrkOutput(stdout, options.clockTicks);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
