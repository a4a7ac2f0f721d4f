import type { AppDeps } from '../../deps.js';
import { notFound, unprocessable } from '../../http/errors.js';
import {
  deleteFollow,
  findProfileByUsername,
  insertFollow,
  loadFollowing,
  toProfile,
  type Profile,
  type ProfileRow,
} from './profile-queries.js';

async function requireProfile(deps: AppDeps, username: string): Promise<ProfileRow> {
  const row = await findProfileByUsername(deps.db, username);
  if (!row) throw notFound('profile');
  return row;
}

export async function getProfile(deps: AppDeps, username: string, viewerId: number | undefined): Promise<Profile> {
  const row = await requireProfile(deps, username);
  const following = await loadFollowing(deps.db, viewerId, [row.id]);
  return toProfile(row, following.has(row.id));
}

export async function follow(deps: AppDeps, username: string, viewerId: number): Promise<Profile> {
  const row = await requireProfile(deps, username);
  if (row.id === viewerId) throw unprocessable({ profile: ['cannot follow yourself'] });
  await insertFollow(deps.db, viewerId, row.id);
  return toProfile(row, true);
}

export async function unfollow(deps: AppDeps, username: string, viewerId: number): Promise<Profile> {
  const row = await requireProfile(deps, username);
  await deleteFollow(deps.db, viewerId, row.id);
  return toProfile(row, false);
}
