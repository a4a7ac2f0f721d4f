import { z } from 'zod';

/**
 * Field rules shared by the request schemas. Limits protect the DB columns (see the migration)
 * and keep one request from carrying megabytes of text.
 */
const blank = "can't be blank";

export const requiredText = (max: number): z.ZodString =>
  z
    .string({ error: blank })
    .trim()
    .min(1, { error: blank })
    .max(max, { error: `is too long (maximum is ${max} characters)` });

export const optionalText = (max: number): z.ZodString =>
  z.string({ error: 'must be a string' }).max(max, { error: `is too long (maximum is ${max} characters)` });

export const username = requiredText(40).regex(/^[\p{L}\p{N}_.-]+$/u, {
  error: 'may contain only letters, digits, "_", "." and "-"',
});

export const email = requiredText(254)
  .pipe(z.email({ error: 'is invalid' }))
  .meta({ format: 'email' });

export const password = z
  .string({ error: blank })
  .min(8, { error: 'is too short (minimum is 8 characters)' })
  .max(256, { error: 'is too long (maximum is 256 characters)' });

export const imageUrl = z
  .string({ error: 'must be a string' })
  .trim()
  .max(2048, { error: 'is too long (maximum is 2048 characters)' })
  .refine((v) => v === '' || /^https?:\/\/\S+$/i.test(v), { error: 'must be an http(s) URL' })
  .meta({ description: 'an http(s) URL; "" clears it' });

/** Wraps a body schema under its RealWorld envelope key ({"user": {...}}), which must be an object. */
export const envelope = <K extends string, S extends z.ZodType>(key: K, schema: S): z.ZodObject<Record<K, S>> =>
  z.object({ [key]: schema } as Record<K, S>, { error: `must be a JSON object with a "${key}" object` });

/**
 * bio and image are stored as '' when unset (NOT NULL columns since migration 0001) and answered
 * as null, which frontends read as "no bio" / "show the default avatar" ('' renders a broken
 * image). Mapping here, at the edge, rather than migrating the columns to NULL keeps the rows and
 * the cached profile entries that earlier versions wrote valid as they are: during a rolling
 * upgrade (or a rollback) old and new replicas read and write the same values.
 */
export const presentOptionalText = (stored: string): string | null => (stored === '' ? null : stored);
