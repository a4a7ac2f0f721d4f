import { canBeSlug } from './slug.js';
import type { AppDeps } from '../deps.js';
import { viewerFollowing } from '../profiles/profile-cache.js';
import { viewerFavorited } from './article-cache.js';
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
    key: JSON.stringify([PAGE_FORMAT, ...key]),
    build: async () => {
      const { answer: built, articleIds, authorIds } = await build();
      const header: PageIds = { articleIds, authorIds };
      return `${JSON.stringify(header)}\n${JSON.stringify(built)}`;
    },
  });
  const split = stored.indexOf(NEWLINE);
  const body = stored.subarray(split + 1);
  if (viewerId === undefined) return body;
  const { articleIds, authorIds } = JSON.parse(stored.subarray(0, split).toString()) as PageIds;
  const [favorited, following] = await Promise.all([
    viewerFavorited(deps, viewerId, articleIds),
    viewerFollowing(deps, viewerId, authorIds),
  ]);
  const copy = Buffer.from(body);
  const set =
    setFlags(
      copy,
      FAVORITED,
      articleIds.map((id) => favorited.has(id)),
    ) &&
    setFlags(
      copy,
      FOLLOWING,
      authorIds.map((id) => following.has(id)),
    );
  // A page of another shape cannot be patched: build this reader's answer the long way.
  return set ? copy : Buffer.from(JSON.stringify(await personal(viewerId)));
}

/** GET /api/articles: the schema has already trimmed and bounded every part of the key. */
export function listArticlesJson(deps: AppDeps, input: ListArticlesInput, viewerId: number | undefined): Promise<Buffer> {
  return answer(
    deps,
    ['list', input.tag ?? null, input.author ?? null, input.favorited ?? null, input.limit, input.offset],
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
