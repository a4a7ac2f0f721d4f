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

/** What the API returns for the current user (RealWorld `User`). */
export interface UserResponse {
  email: string;
  token: string;
  username: string;
  bio: string;
  image: string;
}
