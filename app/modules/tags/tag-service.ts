import { getOne } from '../../cache/cache.js';
import { cacheKeys } from '../../cache/keys.js';
import type { AppDeps } from '../deps.js';
import { listTagsInUse } from './tag-queries.js';

/** The sidebar shows popular tags; more than this many is noise and an unbounded answer. */
const MAX_TAGS_LISTED = 500;

/** Tags in use, most used first; cached, and dropped by every article write that can change them. */
export async function popularTags(deps: AppDeps): Promise<string[]> {
  return (
    (await getOne<string[]>(deps.cache, 'tags', cacheKeys.popularTags(), () => listTagsInUse(deps.db, MAX_TAGS_LISTED))) ?? []
  );
}
