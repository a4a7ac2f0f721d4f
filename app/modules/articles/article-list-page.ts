import type { AppDeps } from '../deps.js';
import { viewerFollowing } from '../profiles/profile-cache.js';
import { viewerFavorited } from './article-cache.js';
import type { ListArticlesInput } from './article-schemas.js';
import { listArticles, listArticlesWithIds } from './article-service.js';

/**
 * The list answer as JSON text, through the page cache: an anonymous reader gets the cached bytes
 * as they are; a signed-in reader gets the same page with its personal fields (favorited,
 * following) set from its own sets, in place in a copy of the bytes. Stored as one header line with the page's article and
 * author ids, then the page: JSON text never holds a raw newline, so the first one splits them.
 */

const NEWLINE = 0x0a;

interface PageIds {
  articleIds: number[];
  authorIds: number[];
}

/**
 * The answer's shape: raise it whenever what a page holds changes (fields, null for unset bio and
 * image), so a rolling upgrade never serves pages its older replicas stored.
 */
const PAGE_FORMAT = 2;

/** One field per format and distinct query; the schema has already trimmed and bounded every part. */
function pageKey(input: ListArticlesInput): string {
  return JSON.stringify([
    PAGE_FORMAT,
    input.tag ?? null,
    input.author ?? null,
    input.favorited ?? null,
    input.limit,
    input.offset,
  ]);
}

async function buildPage(deps: AppDeps, input: ListArticlesInput): Promise<string> {
  const { page, articleIds, authorIds } = await listArticlesWithIds(deps, input, undefined);
  const header: PageIds = { articleIds, authorIds };
  return `${JSON.stringify(header)}\n${JSON.stringify(page)}`;
}

/** Each article's flag and its author's, as an anonymous page holds them: `false` until set. */
const FAVORITED = Buffer.from('"favorited":false');
const FOLLOWING = Buffer.from('"following":false');
/** `true` padded to the length of `false`: JSON allows the space, so the page keeps its length. */
const TRUE = Buffer.from('true ');

/**
 * Sets the n-th occurrence of `field` (the n-th article's) to true where flags[n] is. False when
 * the page does not hold exactly one occurrence per item (a page of another shape).
 */
function setFlags(page: Buffer, field: Buffer, flags: readonly boolean[]): boolean {
  let at = 0;
  for (const flag of flags) {
    const found = page.indexOf(field, at);
    if (found < 0) return false;
    at = found + field.length;
    if (flag) TRUE.copy(page, at - TRUE.length);
  }
  return page.indexOf(field, at) < 0;
}

/**
 * The answer's bytes: the stored page itself for anonymous readers (no copy, no re-encoding); for
 * a signed-in reader a copy with its flags set in place, without parsing the page.
 */
export async function listArticlesJson(deps: AppDeps, input: ListArticlesInput, viewerId: number | undefined): Promise<Buffer> {
  const stored = await deps.cache.listPage({ key: pageKey(input), build: () => buildPage(deps, input) });
  const split = stored.indexOf(NEWLINE);
  const body = stored.subarray(split + 1);
  if (viewerId === undefined) return body;
  const { articleIds, authorIds } = JSON.parse(stored.subarray(0, split).toString()) as PageIds;
  const [favorited, following] = await Promise.all([
    viewerFavorited(deps, viewerId, articleIds),
    viewerFollowing(deps, viewerId, authorIds),
  ]);
  const personal = Buffer.from(body);
  const set =
    setFlags(
      personal,
      FAVORITED,
      articleIds.map((id) => favorited.has(id)),
    ) &&
    setFlags(
      personal,
      FOLLOWING,
      authorIds.map((id) => following.has(id)),
    );
  // A page of another shape cannot be patched: build this reader's answer the long way.
  return set ? personal : Buffer.from(JSON.stringify(await listArticles(deps, input, viewerId)));
}
