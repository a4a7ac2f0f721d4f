import { cacheKeys } from '../../cache/keys.js';
import type { AppDeps } from '../deps.js';
import type { UserRow, UserUpdate } from '../../db/schema.js';
import { isDuplicateKey } from '../../platform/mysql-errors.js';
import { ApiError, unauthorized, unprocessable, type ErrorBody } from '../../platform/errors.js';
import { presentOptionalText } from '../fields.js';
import { findUserByEmail, findUserById, findUsersTaking, insertUser, updateUser } from './user-queries.js';
import type { LoginInput, RegisterInput, UpdateUserInput, UserResponse } from './user-schemas.js';

export function toUserResponse(row: UserRow, token: string): UserResponse {
  return {
    email: row.email,
    token,
    username: row.username,
    bio: presentOptionalText(row.bio),
    image: presentOptionalText(row.image),
  };
}

/** Field-level "has already been taken" errors for a username/email pair. */
async function assertAvailable(
  deps: AppDeps,
  username: string | undefined,
  email: string | undefined,
  exceptId?: number,
): Promise<void> {
  if (username === undefined && email === undefined) return;
  const taken = await findUsersTaking(deps.db, username, email, exceptId);
  const errors: ErrorBody = {};
  const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
  if (username !== undefined && taken.some((u) => same(u.username, username))) errors.username = ['has already been taken'];
  if (email !== undefined && taken.some((u) => same(u.email, email))) errors.email = ['has already been taken'];
  if (Object.keys(errors).length > 0) throw unprocessable(errors);
}

/** A unique-key race lost between the availability check and the write is still a 422, not a 500. */
function duplicateToUnprocessable(err: unknown): never {
  if (isDuplicateKey(err, 'users_username_unique')) throw unprocessable({ username: ['has already been taken'] });
  if (isDuplicateKey(err, 'users_email_unique')) throw unprocessable({ email: ['has already been taken'] });
  throw err;
}

export async function register(deps: AppDeps, input: RegisterInput): Promise<UserResponse> {
  await assertAvailable(deps, input.username, input.email);
  const now = new Date();
  const id = await insertUser(deps.db, {
    username: input.username,
    email: input.email,
    password_hash: await deps.passwords.hash(input.password),
    bio: '',
    image: '',
    created_at: now,
    updated_at: now,
  }).catch(duplicateToUnprocessable);
  const row = await findUserById(deps.db, id);
  if (!row) throw new Error('user vanished after insert');
  // Nobody can follow or favorite as this user before it has its token: its sets are empty.
  await deps.cache.afterWrite({
    seed: [
      { key: cacheKeys.profile(id), value: { id, username: row.username, bio: row.bio, image: row.image } },
      { key: cacheKeys.userId(row.username), value: id },
    ],
    seedIndex: [
      { key: cacheKeys.indexFavorites(id), ids: [] },
      { key: cacheKeys.following(id), ids: [] },
    ],
  });
  return toUserResponse(row, await deps.tokens.sign(id));
}

export async function login(deps: AppDeps, input: LoginInput): Promise<UserResponse> {
  const row = await findUserByEmail(deps.db, input.email);
  // Verify against a dummy hash for unknown emails so response time does not reveal accounts.
  const ok = await deps.passwords.verify(input.password, row?.password_hash ?? (await deps.passwords.dummyHash()));
  // One key a frontend prints as a sentence ("email or password is invalid"), whichever was wrong.
  if (!row || !ok) throw new ApiError(401, { 'email or password': ['is invalid'] });
  return toUserResponse(row, await deps.tokens.sign(row.id));
}

export async function currentUser(deps: AppDeps, userId: number, token: string): Promise<UserResponse> {
  const row = await findUserById(deps.db, userId);
  // A valid token for a deleted user is no longer a credential.
  if (!row) throw unauthorized('user no longer exists');
  return toUserResponse(row, token);
}

export async function updateCurrentUser(
  deps: AppDeps,
  userId: number,
  token: string,
  input: UpdateUserInput,
): Promise<UserResponse> {
  const before = await findUserById(deps.db, userId);
  if (!before) throw unauthorized('user no longer exists');
  await assertAvailable(deps, input.username, input.email, userId);
  const changes: UserUpdate = { updated_at: new Date() };
  if (input.username !== undefined) changes.username = input.username;
  if (input.email !== undefined) changes.email = input.email;
  // null and '' both clear the field: stored as '', answered as null (see presentOptionalText).
  if (input.bio !== undefined) changes.bio = input.bio ?? '';
  if (input.image !== undefined) changes.image = input.image ?? '';
  if (input.password !== undefined) changes.password_hash = await deps.passwords.hash(input.password);
  await updateUser(deps.db, userId, changes).catch(duplicateToUnprocessable);
  // The public profile and both usernames' id entries may now be wrong. Dropped at once: the
  // change is committed even if the re-read below fails (shed, timeout), and must be seen.
  await deps.cache.afterWrite({
    invalidate: [
      cacheKeys.profile(userId),
      cacheKeys.userId(before.username),
      ...(input.username !== undefined ? [cacheKeys.userId(input.username)] : []),
    ],
  });
  const after = await findUserById(deps.db, userId);
  if (!after) throw unauthorized('user no longer exists');
  return toUserResponse(after, token);
}
