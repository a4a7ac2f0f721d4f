import { z } from 'zod';
import { email, envelope, imageUrl, optionalText, password, username } from '../fields.js';

const objectRequired = { error: "can't be blank" };

export const RegisterRequest = envelope('user', z.object({ username, email, password }, objectRequired));

export const LoginRequest = envelope(
  'user',
  z.object(
    {
      email: z.string({ error: "can't be blank" }).trim().min(1, { error: "can't be blank" }),
      password: z.string({ error: "can't be blank" }).min(1, { error: "can't be blank" }),
    },
    objectRequired,
  ),
);

export const UpdateUserRequest = envelope(
  'user',
  z
    .object(
      {
        username: username.optional(),
        email: email.optional(),
        password: password.optional(),
        bio: optionalText(2000).nullable().optional(),
        image: imageUrl.nullable().optional(),
      },
      objectRequired,
    )
    .refine((u) => Object.values(u).some((v: unknown) => v !== undefined), {
      error: 'must change at least one field',
      path: ['user'],
    }),
);

export type RegisterInput = z.output<typeof RegisterRequest>['user'];
export type LoginInput = z.output<typeof LoginRequest>['user'];
export type UpdateUserInput = z.output<typeof UpdateUserRequest>['user'];

/**
 * What the API returns for the current user (RealWorld `User`); the services' type and the
 * OpenAPI document both come from this schema.
 */
export const UserSchema = z.object({
  email: z.string().meta({ format: 'email' }),
  token: z.string().meta({ description: 'JWT; send it back as `Authorization: Token <jwt>`' }),
  username: z.string(),
  bio: z.string().nullable().meta({ description: 'null when not set; PUT null or "" to clear it' }),
  image: z.string().nullable().meta({ description: 'avatar URL; null when not set; PUT null or "" to clear it' }),
});

export type UserResponse = z.output<typeof UserSchema>;

export const UserEnvelope = z.object({ user: UserSchema });
