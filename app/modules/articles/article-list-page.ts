import type { AppDeps } from '../deps.js';
import { viewerFollowing } from '../profiles/profile-cache.js';
import { viewerFavorited } from './article-cache.js';
import type { ListArticlesInput } from './article-schemas.js';
import { listArticlesWithIds, type ArticlePage } from './article-service.js';

/**
 * The list answer as JSON text, through the page cache: an anonymous reader gets the cached bytes
 * as they are; a signed-in reader gets the same page with its personal fields (favorited,
 * following) set from its own sets. Stored as one header line with the page's article and
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

/** The answer's bytes: the stored page itself for anonymous readers (no copy, no re-encoding). */
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
  const page = JSON.parse(body.toString()) as ArticlePage;
  page.articles.forEach((article, i) => {
    article.favorited = favorited.has(articleIds[i] ?? 0);
    article.author.following = following.has(authorIds[i] ?? 0);
  });
  return Buffer.from(JSON.stringify(page));
}
