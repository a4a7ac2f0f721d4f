import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';

/**
 * Polls `probe` until it returns something other than undefined, and returns that. The deadline
 * only bounds a wait for something that must happen (a process ready, an alert delivered): it is
 * generous on purpose and never measures speed. A probe that throws counts as "not yet"; the last
 * error is reported if the deadline passes.
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  const cause = last === undefined ? '' : ` (last error: ${last instanceof Error ? last.message : inspect(last)})`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
}
