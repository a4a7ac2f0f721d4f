import { cacheKeys } from '../../cache/keys.js';
import type { AppDeps } from '../deps.js';
import { notFound, unprocessable } from '../../platform/errors.js';
import { cachedProfiles, cachedUserId, sameUserIdKey, viewerFollowing } from './profile-cache.js';
import { requireUserStillExists } from '../users/user-gone.js';
import {
  deleteFollow,
  findProfileByUsername,
  insertFollow,
  toProfile,
  type Profile,
  type ProfileRow,
} from './profile-queries.js';

/** Writes check against MySQL, never against a cached copy. */
async function requireProfile(deps: AppDeps, username: string): Promise<ProfileRow> {
  const row = await findProfileByUsername(deps.db, username);
  if (!row) throw notFound('profile');
  return row;
}

export async function getProfile(deps: AppDeps, username: string, viewerId: number | undefined): Promise<Profile> {
  const id = await cachedUserId(deps, username);
  let row = id === undefined ? undefined : (await cachedProfiles(deps, [id])).get(id);
  // An alias (accents, trailing spaces) or an entry a rename raced: ask MySQL, uncached.
  if (row && !sameUserIdKey(row.username, username)) row = await findProfileByUsername(deps.db, username);
  if (!row) throw notFound('profile');
  const following = await viewerFollowing(deps, viewerId, [row.id]);
  return toProfile(row, following.has(row.id));
}

/**
 * A follow or unfollow drops the viewer's followee set instead of editing it: two toggles sent
 * together may reach Redis in the other order than their commits, and ZADD/ZREM applied out of
 * order would leave the set disagreeing with MySQL. Drops commute; the next read rebuilds the set
 * (version-guarded, so a rebuild that read MySQL before this commit is not installed).
 */
async function dropFollowing(deps: AppDeps, viewerId: number): Promise<void> {
  await deps.cache.afterWrite({ invalidate: [cacheKeys.following(viewerId)] });
}

export async function follow(deps: AppDeps, username: string, viewerId: number): Promise<Profile> {
  const row = await requireProfile(deps, username);
  if (row.id === viewerId) throw unprocessable({ profile: ['cannot follow yourself'] });
  if (!(await insertFollow(deps.db, viewerId, row.id))) {
    // INSERT IGNORE also ignores a foreign key failure: already following, or a user is gone.
    await requireUserStillExists(deps, viewerId);
    await requireProfile(deps, username);
  }
  // Dropped, not edited: see dropFollowing.
  await dropFollowing(deps, viewerId);
  return toProfile(row, true);
}

export async function unfollow(deps: AppDeps, username: string, viewerId: number): Promise<Profile> {
  const row = await requireProfile(deps, username);
  await deleteFollow(deps.db, viewerId, row.id);
  await dropFollowing(deps, viewerId);
  return toProfile(row, false);
}
