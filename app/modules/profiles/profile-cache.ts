import { cacheKeys } from '../../cache/keys.js';
import type { AppDeps } from '../../deps.js';
import { findProfileByUsername, loadFolloweeIds, loadFollowing, loadProfileRows, type ProfileRow } from './profile-queries.js';

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
  const id = await deps.cache.getOrFill<number>('user_id', cacheKeys.userId(username), async () => {
    const row = await findProfileByUsername(deps.db, username);
    if (!row) return undefined;
    if (sameUserIdKey(row.username, username)) return row.id;
    alias = row.id;
    return undefined;
  });
  return id ?? alias;
}

export async function cachedProfiles(deps: AppDeps, userIds: readonly number[]): Promise<Map<number, ProfileRow>> {
  const ids = [...new Set(userIds)];
  const byKey = await deps.cache.getManyOrFill<ProfileRow>('profile', ids.map(cacheKeys.profile), async (missing) => {
    const wanted = new Set(missing);
    const rows = await loadProfileRows(
      deps.db,
      ids.filter((id) => wanted.has(cacheKeys.profile(id))),
    );
    return new Map([...rows.values()].map((row) => [cacheKeys.profile(row.id), row]));
  });
  const result = new Map<number, ProfileRow>();
  for (const id of ids) {
    const row = byKey.get(cacheKeys.profile(id));
    if (row) result.set(id, row);
  }
  return result;
}

/** Which of these users the viewer follows: one cache round trip, or one statement. */
export function viewerFollowing(deps: AppDeps, viewerId: number | undefined, userIds: readonly number[]): Promise<Set<number>> {
  if (viewerId === undefined || userIds.length === 0) return Promise.resolve(new Set());
  return deps.cache.indexHas(
    'following',
    cacheKeys.following(viewerId),
    userIds,
    () => loadFolloweeIds(deps.db, viewerId),
    () => loadFollowing(deps.db, viewerId, userIds),
  );
}
