import type { AppDeps } from '../deps.js';
import { unauthorized } from '../../platform/errors.js';
import { withOperation } from '../../platform/request-context.js';

/**
 * A token outlives its user: a user deleted since it was signed still has a valid-looking token.
 * Writes that reference the user then fail a foreign key (plain INSERT) or insert nothing
 * (INSERT IGNORE); both are answered 401 here, before the cache is touched.
 */
export async function userExists(deps: AppDeps, userId: number): Promise<boolean> {
  const row = await withOperation('users.exists', () =>
    deps.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst(),
  );
  return row !== undefined;
}

/** Throws 401 when the acting user's row is gone (its token is no longer a credential). */
export async function requireUserStillExists(deps: AppDeps, userId: number): Promise<void> {
  if (!(await userExists(deps, userId))) throw unauthorized('user no longer exists');
}
