import { sql, type Kysely, type Transaction } from 'kysely';
import { inTransaction } from '../../db/transaction.js';
import type { Database, UserRow } from '../../db/schema.js';
import { withOperation } from '../../platform/request-context.js';
import { presentOptionalText } from '../fields.js';
import type { Profile } from './profile-schemas.js';

export type { Profile } from './profile-schemas.js';

export type ProfileRow = Pick<UserRow, 'id' | 'username' | 'bio' | 'image'>;

export function findProfileByUsername(db: Kysely<Database>, username: string): Promise<ProfileRow | undefined> {
  return withOperation('profiles.by_username', () =>
    db.selectFrom('users').select(['id', 'username', 'bio', 'image']).where('username', '=', username).executeTakeFirst(),
  );
}

/** One statement for any number of authors. */
export async function loadProfileRows(db: Kysely<Database>, ids: readonly number[]): Promise<Map<number, ProfileRow>> {
  if (ids.length === 0) return new Map();
  const rows = await withOperation('profiles.load', () =>
    db
      .selectFrom('users')
      .select(['id', 'username', 'bio', 'image'])
      .where('id', 'in', [...new Set(ids)])
      .execute(),
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** Which of these users the viewer follows, in one statement. */
export async function loadFollowing(db: Kysely<Database>, viewerId: number, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await withOperation('follows.load', () =>
    db
      .selectFrom('follows')
      .select('followee_id')
      .where('follower_id', '=', viewerId)
      .where('followee_id', 'in', [...new Set(ids)])
      .execute(),
  );
  return new Set(rows.map((r) => r.followee_id));
}

/**
 * Follows and unfollows lock the follower's user row first: one user's toggles then run one after
 * the other, where an INSERT IGNORE and a DELETE of the same follows row could otherwise deadlock
 * (seen as a 503 in the parallel-toggle test). Other users are not held up.
 */
function withFollowerLocked<T>(
  db: Kysely<Database>,
  followerId: number,
  fn: (trx: Transaction<Database>) => Promise<T>,
  gone: T,
): Promise<T> {
  return inTransaction(db, async (trx) => {
    const follower = await withOperation('users.lock', () =>
      trx.selectFrom('users').select('id').where('id', '=', followerId).forUpdate().executeTakeFirst(),
    );
    return follower ? fn(trx) : gone;
  });
}

/** True when a row was inserted (false: already following, or a user is gone). */
export function insertFollow(db: Kysely<Database>, followerId: number, followeeId: number): Promise<boolean> {
  return withFollowerLocked(
    db,
    followerId,
    async (trx) => {
      const result = await withOperation('follows.insert', () =>
        trx
          .insertInto('follows')
          .ignore()
          .values({ follower_id: followerId, followee_id: followeeId, created_at: sql<Date>`CURRENT_TIMESTAMP(3)` })
          .executeTakeFirst(),
      );
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    false,
  );
}

export async function deleteFollow(db: Kysely<Database>, followerId: number, followeeId: number): Promise<void> {
  await withFollowerLocked(
    db,
    followerId,
    async (trx) => {
      await withOperation('follows.delete', () =>
        trx.deleteFrom('follows').where('follower_id', '=', followerId).where('followee_id', '=', followeeId).execute(),
      );
    },
    undefined,
  );
}

/** Rows (and cached rows, whichever version wrote them) store '' for an unset bio or image. */
export function toProfile(row: ProfileRow, following: boolean): Profile {
  return { username: row.username, bio: presentOptionalText(row.bio), image: presentOptionalText(row.image), following };
}

/** Everyone a user follows: the per-user "following" set the cache keeps. */
export async function loadFolloweeIds(db: Kysely<Database>, followerId: number): Promise<number[]> {
  const rows = await withOperation('follows.by_follower', () =>
    db.selectFrom('follows').select('followee_id').where('follower_id', '=', followerId).orderBy('followee_id').execute(),
  );
  return rows.map((r) => r.followee_id);
}
