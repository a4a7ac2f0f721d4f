import { canBeSlug } from './slug.js';
import type { AppDeps } from '../deps.js';
import { storedViewerSets } from '../cached.js';
import { followingSet, viewerFollowing } from '../profiles/profile-cache.js';
import { favoritesSet, viewerFavorited } from './article-cache.js';
import type { ListArticlesInput } from './article-schemas.js';
import { getArticle, getArticleWithIds, listArticles, listArticlesWithIds } from './article-service.js';
import { notFound } from '../../platform/errors.js';

/**
 * Article reads answered as JSON text through the page cache: an anonymous reader gets the cached
 * bytes as they are; a signed-in reader gets a copy with its personal fields (favorited,
 * following) set in place from its own sets. A stored page is one header line with the ids of its
 * articles and their authors, in order, then the answer: JSON text never holds a raw newline, so
 * the first one splits them.
 */

const NEWLINE = 0x0a;

interface PageIds {
  articleIds: number[];
  authorIds: number[];
}

/**
 * The answers' shape: raise it whenever what a page holds changes (fields, null for unset bio and
 * image), so a rolling upgrade never serves pages its older replicas stored.
 */
const PAGE_FORMAT = 3;

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

function pageKey(key: readonly unknown[]): string {
  return JSON.stringify([PAGE_FORMAT, ...key]);
}

/** The answer part of a stored page (after its header line), shared, not copied. */
function answerOf(stored: Buffer): Buffer {
  return stored.subarray(stored.indexOf(NEWLINE) + 1);
}

function idsOf(stored: Buffer): PageIds {
  return JSON.parse(stored.subarray(0, stored.indexOf(NEWLINE)).toString()) as PageIds;
}

/**
 * A copy of the stored answer with this viewer's flags set, or undefined when the page does not
 * have the shape the flags are set in (the caller builds the answer the long way).
 */
function personalized(
  stored: Buffer,
  ids: PageIds,
  favorited: ReadonlySet<number>,
  following: ReadonlySet<number>,
): Buffer | undefined {
  const copy = Buffer.from(answerOf(stored));
  const set =
    setFlags(
      copy,
      FAVORITED,
      ids.articleIds.map((id) => favorited.has(id)),
    ) &&
    setFlags(
      copy,
      FOLLOWING,
      ids.authorIds.map((id) => following.has(id)),
    );
  return set ? copy : undefined;
}

/** The viewer's favorites among the page's articles and followees among its authors, if both sets are in Redis: one round trip. */
async function storedFlags(deps: AppDeps, viewerId: number, ids: PageIds): Promise<[Set<number>, Set<number>] | undefined> {
  const [favorited, following] =
    (await storedViewerSets(deps, viewerId, [
      [favoritesSet, ids.articleIds],
      [followingSet, ids.authorIds],
    ])) ?? [];
  return favorited && following ? [favorited, following] : undefined;
}

/**
 * One answer through the page cache: built anonymously when not stored, then as this viewer sees
 * it; `personal` builds a signed-in answer the long way when a page cannot be patched.
 */
async function answer(
  deps: AppDeps,
  key: unknown[],
  build: () => Promise<{ answer: unknown } & PageIds>,
  viewerId: number | undefined,
  personal: (viewerId: number) => Promise<unknown>,
): Promise<Buffer> {
  const stored = await deps.cache.listPage({
    key: pageKey(key),
    build: async () => {
      const { answer: built, articleIds, authorIds } = await build();
      const header: PageIds = { articleIds, authorIds };
      return `${JSON.stringify(header)}\n${JSON.stringify(built)}`;
    },
  });
  const ids = viewerId === undefined ? undefined : idsOf(stored);
  // Anonymous, or nothing on the page that is personal: the stored bytes as they are.
  if (viewerId === undefined || ids === undefined || ids.articleIds.length === 0) return answerOf(stored);
  const [favorited, following] =
    (await storedFlags(deps, viewerId, ids)) ??
    (await Promise.all([viewerFavorited(deps, viewerId, ids.articleIds), viewerFollowing(deps, viewerId, ids.authorIds)]));
  return personalized(stored, ids, favorited, following) ?? Buffer.from(JSON.stringify(await personal(viewerId)));
}

/**
 * The answer if everything it is made of is in Redis (the page, and a viewer's sets when signed
 * in), or undefined: lookups only, never a build and never SQL (the caller takes the full path).
 * The same bytes as listArticlesJson / getArticleJson give.
 */
async function storedAnswer(deps: AppDeps, key: unknown[], viewerId: number | undefined): Promise<Buffer | undefined> {
  const stored = await deps.cache.storedPage(pageKey(key));
  if (stored === undefined) return undefined;
  const ids = viewerId === undefined ? undefined : idsOf(stored);
  if (viewerId === undefined || ids === undefined || ids.articleIds.length === 0) return answerOf(stored);
  const flags = await storedFlags(deps, viewerId, ids);
  return flags && personalized(stored, ids, ...flags);
}

function listKey(input: ListArticlesInput): unknown[] {
  return ['list', input.tag ?? null, input.author ?? null, input.favorited ?? null, input.limit, input.offset];
}

/** GET /api/articles from what Redis holds, or undefined (see storedAnswer). */
export function storedList(deps: AppDeps, input: ListArticlesInput, viewerId: number | undefined): Promise<Buffer | undefined> {
  return storedAnswer(deps, listKey(input), viewerId);
}

/** GET /api/articles/:slug from what Redis holds, or undefined (see storedAnswer). */
export async function storedArticle(deps: AppDeps, slug: string, viewerId: number | undefined): Promise<Buffer | undefined> {
  return canBeSlug(slug) ? storedAnswer(deps, ['article', slug], viewerId) : undefined;
}

/** GET /api/articles: the schema has already trimmed and bounded every part of the key. */
export function listArticlesJson(deps: AppDeps, input: ListArticlesInput, viewerId: number | undefined): Promise<Buffer> {
  return answer(
    deps,
    listKey(input),
    async () => {
      const { page, articleIds, authorIds } = await listArticlesWithIds(deps, input, undefined);
      return { answer: page, articleIds, authorIds };
    },
    viewerId,
    (viewer) => listArticles(deps, input, viewer),
  );
}

/** GET /api/articles/:slug; names no article can have are not found before any cache lookup. */
export async function getArticleJson(deps: AppDeps, slug: string, viewerId: number | undefined): Promise<Buffer> {
  if (!canBeSlug(slug)) throw notFound('article');
  return answer(
    deps,
    ['article', slug],
    async () => {
      const { article, id, authorId } = await getArticleWithIds(deps, slug, undefined);
      return { answer: { article }, articleIds: [id], authorIds: [authorId] };
    },
    viewerId,
    async (viewer) => ({ article: await getArticle(deps, slug, viewer) }),
  );
}
