import type { z } from 'zod';
import { unprocessable, type ErrorBody } from '../platform/errors.js';

/**
 * Parses input with a zod schema; failures become a 422 in the RealWorld shape, keyed by the
 * innermost field name (`{"errors": {"email": ["must be a valid email"]}}`).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: ErrorBody = {};
  for (const issue of result.error.issues) {
    const named = issue.path.filter((p): p is string => typeof p === 'string');
    const field = named.at(-1) ?? 'body';
    (errors[field] ??= []).push(issue.message);
  }
  throw unprocessable(errors);
}
