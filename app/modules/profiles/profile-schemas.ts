import { z } from 'zod';

/**
 * What the API answers about a user's public profile (RealWorld `Profile`). The type the services
 * return is derived from this schema, and the OpenAPI document (GET /api/openapi.json) is
 * generated from it: one definition for both.
 */
export const ProfileSchema = z.object({
  username: z.string(),
  bio: z.string().nullable().meta({ description: 'null when the user has not written one' }),
  image: z.string().nullable().meta({ description: 'avatar URL; null when the user has not set one' }),
  following: z.boolean().meta({ description: 'whether the caller follows this user (false when anonymous)' }),
});

export type Profile = z.output<typeof ProfileSchema>;

export const ProfileResponse = z.object({ profile: ProfileSchema });
