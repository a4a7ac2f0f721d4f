import { getOne } from '../../cache/cache.js';
import { cacheKeys } from '../../cache/keys.js';
import { byIdThroughCache, viewerSetThroughCache, type ViewerSetSource } from '../cached.js';
import type { AppDeps } from '../deps.js';
import {
  findProfileByUsername,
  loadFolloweeIds,
  loadFollowing,
  loadProfileRows,
  toProfile,
  type Profile,
  type ProfileRow,
} from './profile-queries.js';

/**
 * Profile reads through the cache. Public fields are shared entries; "following" is personal and
 * comes from the viewer's own cached set of followees, never from a shared entry.
 */

/** Whether two usernames share one username -> id entry (the key lower-cases). */
export function sameUserIdKey(a: string, b: string): boolean {
  return cacheKeys.userId(a) === cacheKeys.userId(b);
}

/**
 * Username -> id; unknown usernames are not cached, so a new user is found at once. MySQL's
 * utf8mb4_unicode_ci also ignores accents and trailing spaces ("jose" finds "José", "alice " finds
 * "alice"); such an alias is answered but never cached: a rename invalidates only the old and the
 * new name's entries, so a cached alias would keep naming the renamed user.
 */
export async function cachedUserId(deps: AppDeps, username: string): Promise<number | undefined> {
  let alias: number | undefined;
  const id = await getOne<number>(deps.cache, 'user_id', cacheKeys.userId(username), async () => {
    const row = await findProfileByUsername(deps.db, username);
    if (!row) return undefined;
    if (sameUserIdKey(row.username, username)) return row.id;
    alias = row.id;
    return undefined;
  });
  return id ?? alias;
}

/** Public profile rows by user id. */
export const cachedProfiles = byIdThroughCache<ProfileRow>({
  cache: 'profile',
  key: cacheKeys.profile,
  load: loadProfileRows,
});

/** A viewer's followees. */
export const followingSet: ViewerSetSource = {
  cache: 'following',
  key: cacheKeys.following,
  loadAll: loadFolloweeIds,
  loadSome: loadFollowing,
};

/** Which of these users the viewer follows. */
export const viewerFollowing = viewerSetThroughCache(followingSet);

/**
 * The author profiles of a page (articles or comments) as one viewer sees them: public fields and
 * "following" each fetched once for the whole page, in parallel. Undefined for an author who is
 * gone (deleted meanwhile): the caller leaves that item out.
 */
export async function authorsAsSeenBy(
  deps: AppDeps,
  authorIds: readonly number[],
  viewerId: number | undefined,
): Promise<(authorId: number) => Profile | undefined> {
  const [authors, following] = await Promise.all([cachedProfiles(deps, authorIds), viewerFollowing(deps, viewerId, authorIds)]);
  return (authorId) => {
    const row = authors.get(authorId);
    return row && toProfile(row, following.has(authorId));
  };
}
