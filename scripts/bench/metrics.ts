/** Reading the service's /metrics: one-off snapshots and a background sampler of gauge peaks. */
import { setTimeout as sleep } from 'node:timers/promises';
import { sumMetric } from '../load.js';

export async function scrape(metricsUrl: string): Promise<string> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
  return res.text();
}

/** A metric sum (labels included) in `after` minus the same in `before`. */
export function delta(before: string, after: string, name: string, labels: Record<string, string> = {}): number {
  return sumMetric(after, name, labels) - sumMetric(before, name, labels);
}

/** Per-label-value deltas of a counter, e.g. http_requests_shed_total by reason; zero entries dropped. */
export function deltaBy(before: string, after: string, name: string, label: string): Record<string, number> {
  const values = new Set<string>();
  const pattern = new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"`, 'gm');
  for (const m of after.matchAll(pattern)) values.add(m[1] ?? '');
  const out: Record<string, number> = {};
  for (const value of [...values].sort()) {
    const d = delta(before, after, name, { [label]: value });
    if (d !== 0) out[value] = d;
  }
  return out;
}

/** Gauges whose peaks the sampler keeps. */
export const SAMPLED_GAUGES = {
  rssBytes: ['process_resident_memory_bytes', {}],
  inFlight: ['http_requests_in_flight', {}],
  poolActive: ['db_pool_connections', { state: 'active' }],
  poolWaiting: ['db_pool_waiting', {}],
  eventLoopLagP99Seconds: ['nodejs_eventloop_lag_p99_seconds', {}],
} as const satisfies Record<string, readonly [string, Record<string, string>]>;

export type GaugePeaks = Record<keyof typeof SAMPLED_GAUGES, number | undefined>;

export interface Sampler {
  /** Stops sampling (after one last sample) and returns the peaks seen and how many samples. */
  stop(): Promise<{ peaks: GaugePeaks; samples: number }>;
}

/**
 * Scrapes /metrics every `everyMs` until stopped (or `maxMs` passes), keeping each gauge's maximum.
 * Sampling misses spikes shorter than the interval; the peaks are lower bounds.
 */
export function startSampler(metricsUrl: string, everyMs: number, maxMs: number): Sampler {
  const peaks = Object.fromEntries(Object.keys(SAMPLED_GAUGES).map((k) => [k, undefined])) as GaugePeaks;
  let samples = 0;
  // An object, not a let: the loop must see stop()'s write after each await.
  const state = { running: true };
  const deadline = Date.now() + maxMs;
  const take = async () => {
    try {
      const text = await scrape(metricsUrl);
      samples += 1;
      for (const [key, [name, labels]] of Object.entries(SAMPLED_GAUGES) as [
        keyof GaugePeaks,
        readonly [string, Record<string, string>],
      ][]) {
        if (!new RegExp(`^${name}[ {]`, 'm').test(text)) continue;
        const value = sumMetric(text, name, labels);
        peaks[key] = Math.max(peaks[key] ?? value, value);
      }
    } catch {
      // a slow or refused scrape is a missed sample, not a failure of the run
    }
  };
  const loop = (async () => {
    while (state.running && Date.now() < deadline) {
      await take();
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      state.running = false;
      await loop;
      await take();
      return { peaks, samples };
    },
  };
}
