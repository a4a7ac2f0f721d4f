/**
 * Pure helpers of the benchmark: statistics over samples, ratios, and Markdown rendering.
 * Nothing here touches the network or the clock, so test/unit/bench-format.test.ts covers it.
 */
import { summarize, type LatencySummary } from '../load.js';

export type { LatencySummary };
export { summarize };

/** Share of `values` at or under `limit` (1 when there are none: nothing was late). */
export function shareWithin(values: readonly number[], limit: number): number {
  if (values.length === 0) return 1;
  return values.filter((v) => v <= limit).length / values.length;
}

/** a / b, or undefined when either side is missing or b is zero. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return a / b;
}

/** Largest number of intervals [start, end) open at once (an exact in-flight peak, client side). */
export function peakOverlap(intervals: readonly { start: number; end: number }[]): number {
  const edges: [number, number][] = [];
  for (const { start, end } of intervals) {
    edges.push([start, 1], [end, -1]);
  }
  // At equal times close before open, so back-to-back intervals do not count as overlapping.
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    open += delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

/** Counts of each distinct key, keys sorted. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

const DASH = '–';

/** A number with `digits` decimals, or a dash when unknown. */
export function num(value: number | undefined, digits = 0): string {
  return value === undefined || !Number.isFinite(value) ? DASH : value.toFixed(digits);
}

/** Milliseconds, one decimal under 10 ms, none above. */
export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  return value < 10 ? value.toFixed(1) : value.toFixed(0);
}

/** A 0..1 share as a percentage with `digits` decimals. */
export function pct(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? DASH : `${(value * 100).toFixed(digits)}%`;
}

/** A ratio as "3.2×". */
export function times(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return DASH;
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×`;
}

/** Bytes as MiB. */
export function mib(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? DASH : (bytes / 1024 / 1024).toFixed(0);
}

/** A GitHub-flavoured Markdown table; cells are escaped for `|` and stripped of newlines. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const width = headers.length;
  for (const row of rows) {
    if (row.length !== width) throw new Error(`table row has ${row.length} cells, header has ${width}`);
  }
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "met" / "NOT met" for a measured value against a target, or "no data". */
export function verdict(value: number | undefined, target: number, better: 'lower' | 'higher'): string {
  if (value === undefined || !Number.isFinite(value)) return 'no data';
  const met = better === 'lower' ? value < target : value >= target;
  return met ? 'met' : 'NOT met';
}

/** The median (mean of the middle two for an even count); undefined for no values. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * Folds repeated runs of one configuration into one record of the same shape: every number is
 * the median over the runs (or the sum, for `mode` 'sum'), objects are folded key by key (a key
 * missing from a run is left out of that key's median or sum), arrays are concatenated, anything
 * else is taken from the first run.
 */
export function foldRuns<T>(runs: readonly T[], mode: 'median' | 'sum' = 'median'): T {
  return fold(runs, mode) as T;
}

function fold(values: readonly unknown[], mode: 'median' | 'sum'): unknown {
  const defined = values.filter((v) => v !== undefined);
  if (defined.length === 0) return undefined;
  if (defined.every((v) => typeof v === 'number')) {
    return mode === 'sum' ? defined.reduce((a, b) => a + b, 0) : median(defined);
  }
  if (defined.every(Array.isArray)) return (defined as unknown[][]).flat();
  if (defined.every((v) => typeof v === 'object' && v !== null)) {
    const keys = [...new Set(defined.flatMap((v) => Object.keys(v)))];
    return Object.fromEntries(
      keys.map((k) => [
        k,
        fold(
          defined.map((v) => (v as Record<string, unknown>)[k]),
          mode,
        ),
      ]),
    );
  }
  return defined[0];
}
