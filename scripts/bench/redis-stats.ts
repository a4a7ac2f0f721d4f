/** Redis INFO commandstats, parsed and compared (pure; test/unit/bench-redis-stats.test.ts). */

/** Calls per command, e.g. { get: 24000, evalsha: 3000 }. */
export type CommandStats = Record<string, number>;

/**
 * Commands the bench itself sends to a Redis it measures (INFO for these very snapshots); they are
 * left out of per-request figures.
 */
export const BENCH_OWN_COMMANDS: readonly string[] = ['info'];

/** `cmdstat_get:calls=12,usec=...` lines to { get: 12 }. Subcommands keep their name (`client|setname`). */
export function parseCommandStats(info: string): CommandStats {
  const stats: CommandStats = {};
  for (const match of info.matchAll(/^cmdstat_([^:\s]+):calls=(\d+)/gm)) {
    stats[(match[1] ?? '').toLowerCase()] = Number(match[2]);
  }
  return stats;
}

/** Calls per command between two snapshots, without the bench's own commands; zero entries dropped. */
export function commandDelta(before: CommandStats, after: CommandStats): CommandStats {
  const out: CommandStats = {};
  for (const [command, calls] of Object.entries(after)) {
    if (BENCH_OWN_COMMANDS.includes(command)) continue;
    const d = calls - (before[command] ?? 0);
    if (d > 0) out[command] = d;
  }
  return out;
}

/** Total calls of a delta. */
export function totalCalls(delta: CommandStats): number {
  return Object.values(delta).reduce((a, b) => a + b, 0);
}

/**
 * The commands of a delta per request, largest first, as "get 24, evalsha 3, zrevrange 1" (at most
 * `top` entries, the rest summed as "other").
 */
export function commandsPerRequest(delta: CommandStats, requests: number, top = 4): string {
  if (requests <= 0) return '–';
  const entries = Object.entries(delta).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (entries.length === 0) return 'none';
  const fmt = (n: number) => {
    const v = n / requests;
    return v >= 10 ? v.toFixed(0) : v >= 0.1 ? v.toFixed(1) : v.toFixed(2);
  };
  const shown = entries.slice(0, top).map(([c, n]) => `${c} ${fmt(n)}`);
  const rest = entries.slice(top).reduce((a, [, n]) => a + n, 0);
  if (rest > 0) shown.push(`other ${fmt(rest)}`);
  return shown.join(', ');
}
