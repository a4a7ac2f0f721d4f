/** How long cached things live and how fills wait for each other (see README.md). */
export interface EngineTimings {
  /** Memory bound only: correctness never depends on expiry. */
  valueTtlMs: number;
  /** Versions must outlive any fill that could still be running. */
  versionTtlMs: number;
  /** How long one replica may fill a key before others fill it too. */
  leaseMs: number;
  /** How often and how many times a lookup waits for another replica's fill. */
  leasePollMs: number;
  leasePolls: number;
}

export const DEFAULT_TIMINGS: EngineTimings = {
  valueTtlMs: 10 * 60_000,
  versionTtlMs: 60 * 60_000,
  leaseMs: 2000,
  leasePollMs: 20,
  leasePolls: 10,
};

/** ±10 %, so entries filled together do not all expire together. */
export function jitter(ms: number): number {
  return Math.round(ms * (0.9 + Math.random() * 0.2));
}
