import assert from 'node:assert/strict';

/**
 * The value, or an assertion failure naming what was missing. Narrows `T | undefined` (an array
 * element, an optional field) where a test knows the value is there, without a `!` that would turn
 * a wrong belief into a TypeError far from its cause.
 */
export function must<T>(value: T | null | undefined, what: string): T {
  assert.ok(value !== undefined && value !== null, `expected ${what}`);
  return value;
}
