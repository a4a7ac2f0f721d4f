import { canBeSlug } from './slug.js';
import type { AppDeps } from '../deps.js';
import { viewerSetName } from '../cached.js';
import { followingSet, viewerFollowing } from '../profiles/profile-cache.js';
import { favoritesSet, viewerFavorited } from './article-cache.js';
import type { ListArticlesInput } from './article-schemas.js';
import { getArticle, getArticleWithIds, listArticles, listArticlesWithIds } from './article-service.js';
import { notFound } from '../../platform/errors.js';

/**
 * Article reads answered as JSON text through the page cache: an anonymous reader gets the cached
 * bytes as they are; a signed-in reader gets a copy with its personal fields (favorited,
 * following) set in place from its own sets. A stored page is one header line (PageHeader), then
 * the answer: JSON text never holds a raw newline, so the first one splits them.
 */

const NEWLINE = 0x0a;

/**
 * Per personal field, favorited then following: each id the field depends on (the article's, the
 * author's), once, in order of first appearance, and per id the byte offsets in the answer where
 * its occurrences' `false` start, so a signed-in answer is patched without searching the page. An
 * author shown beside several articles is listed once: the cache's one-call lookup of a page with
 * a viewer's flags checks `ids` in the viewer's sets (Cache.storedPersonalPage), and each id it
 * checks costs Redis time on every signed-in read. `at` is null when the answer does not hold
 * exactly one occurrence per article or author shown (a page of another shape: signed-in readers
 * then get their answer built the long way).
 */
interface PageHeader {
  ids: [number[], number[]];
  at: [number[][], number[][]] | null;
}

/**
 * The answers' shape: raise it whenever what a page holds changes (fields, null for unset bio and
 * image, the header, how the cache stores it), so a rolling upgrade never serves pages its older
 * replicas stored. 5: each page has a meta field beside it (PageStore), which older replicas do
 * not write. 6: the header lists each id once, with the offsets of all its occurrences.
 */
const PAGE_FORMAT = 6;

/** Each article's flag and its author's, as an anonymous page holds them: `false` until set. */
const FAVORITED = Buffer.from('"favorited":false');
const FOLLOWING = Buffer.from('"following":false');
/** `true` padded to the length of `false`: JSON allows the space, so the page keeps its length. */
const TRUE = Buffer.from('true ');

/** Where each occurrence's `false` starts, or undefined when there is not exactly one per id. */
function flagOffsets(answer: Buffer, field: Buffer, count: number): number[] | undefined {
  const offsets: number[] = [];
  for (let found = answer.indexOf(field); found >= 0; found = answer.indexOf(field, found + field.length)) {
    offsets.push(found + field.length - TRUE.length);
  }
  return offsets.length === count ? offsets : undefined;
}

/** Each id once, in order of first appearance, and the offsets of its occurrences (undefined: the page cannot be patched). */
function flagPlaces(
  answer: Buffer,
  field: Buffer,
  occurrenceIds: readonly number[],
): { ids: number[]; at: number[][] | undefined } {
  const offsets = flagOffsets(answer, field, occurrenceIds.length);
  const places = new Map<number, number[]>();
  occurrenceIds.forEach((id, i) => {
    let at = places.get(id);
    if (at === undefined) {
      at = [];
      places.set(id, at);
    }
    const offset = offsets?.[i];
    if (offset !== undefined) at.push(offset);
  });
  return { ids: [...places.keys()], at: offsets && [...places.values()] };
}

/** A stored page: the header line and the answer. articleIds and authorIds: one per occurrence, in answer order. */
function storedText(answer: unknown, articleIds: number[], authorIds: number[]): string {
  const text = JSON.stringify(answer);
  const bytes = Buffer.from(text);
  const favorited = flagPlaces(bytes, FAVORITED, articleIds);
  const following = flagPlaces(bytes, FOLLOWING, authorIds);
  const header: PageHeader = {
    ids: [favorited.ids, following.ids],
    at: favorited.at && following.at ? [favorited.at, following.at] : null,
  };
  return `${JSON.stringify(header)}\n${text}`;
}

function pageKey(key: readonly unknown[]): string {
  return JSON.stringify([PAGE_FORMAT, ...key]);
}

/** The answer part of a stored page (after its header line), shared, not copied. */
function answerOf(stored: Buffer): Buffer {
  return stored.subarray(stored.indexOf(NEWLINE) + 1);
}

/**
 * Headers already parsed, by the page's bytes: the cache answers an unchanged page with the same
 * Buffer every time (its copy in the process), so a signed-in reader's page is parsed once.
 */
const parsedHeaders = new WeakMap<Buffer, PageHeader>();

function headerOf(stored: Buffer): PageHeader {
  let header = parsedHeaders.get(stored);
  if (header === undefined) {
    header = JSON.parse(stored.subarray(0, stored.indexOf(NEWLINE)).toString()) as PageHeader;
    parsedHeaders.set(stored, header);
  }
  return header;
}

/**
 * A copy of the stored answer with this viewer's flags set (flags[field][i]: for header.ids[field][i],
 * at each of its occurrences), or undefined when the page cannot be patched.
 */
function personalized(stored: Buffer, header: PageHeader, flags: readonly (readonly boolean[])[]): Buffer | undefined {
  if (header.at === null) return undefined;
  // A reader who follows no one and favorited nothing on this page sees it as stored: no copy.
  if (!flags.some((field) => field.includes(true))) return answerOf(stored);
  const copy = Buffer.from(answerOf(stored));
  header.at.forEach((places, field) => {
    places.forEach((offsets, i) => {
      if (flags[field]?.[i]) for (const offset of offsets) TRUE.copy(copy, offset);
    });
  });
  return copy;
}

/** The viewer's sets a page's flags come from, in PageHeader order. */
const viewerSets = (viewerId: number) => [viewerSetName(favoritesSet, viewerId), viewerSetName(followingSet, viewerId)];

/** Who reads: the signed-in viewer (undefined: anonymous), and whether their page was just found not stored. */
export interface Reader {
  viewerId: number | undefined;
  storedPageMissed: boolean;
}

/**
 * One answer through the page cache: built anonymously when not stored, then as this viewer sees
 * it; `personal` builds a signed-in answer the long way when a page cannot be patched.
 */
async function answer(
  deps: AppDeps,
  reader: Reader,
  page: {
    key: unknown[];
    build: () => Promise<{ answer: unknown; articleIds: number[]; authorIds: number[] }>;
    personal: (viewerId: number) => Promise<unknown>;
  },
): Promise<Buffer> {
  const { viewerId } = reader;
  const { build, personal } = page;
  const stored = await deps.cache.listPage({
    key: pageKey(page.key),
    knownMissing: reader.storedPageMissed,
    build: async () => {
      const built = await build();
      return storedText(built.answer, built.articleIds, built.authorIds);
    },
  });
  if (viewerId === undefined) return answerOf(stored);
  const header = headerOf(stored);
  const [articleIds, authorIds] = header.ids;
  // Nothing on the page is personal: the stored bytes as they are.
  if (articleIds.length === 0) return answerOf(stored);
  const [favorited, following] = await Promise.all([
    viewerFavorited(deps, viewerId, articleIds),
    viewerFollowing(deps, viewerId, authorIds),
  ]);
  const flags = [articleIds.map((id) => favorited.has(id)), authorIds.map((id) => following.has(id))];
  return personalized(stored, header, flags) ?? Buffer.from(JSON.stringify(await personal(viewerId)));
}

/**
 * The answer if everything it is made of is in Redis (the page, and a viewer's sets when signed
 * in), or undefined: one lookup, never a build and never SQL (the caller takes the full path).
 * The same bytes as listArticlesJson / getArticleJson give.
 */
async function storedAnswer(deps: AppDeps, key: unknown[], viewerId: number | undefined): Promise<Buffer | undefined> {
  if (viewerId === undefined) {
    const stored = await deps.cache.storedPage(pageKey(key));
    return stored && answerOf(stored);
  }
  const found = await deps.cache.storedPersonalPage(pageKey(key), viewerSets(viewerId));
  return found && personalized(found.page, headerOf(found.page), found.flags);
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
export function listArticlesJson(deps: AppDeps, input: ListArticlesInput, reader: Reader): Promise<Buffer> {
  return answer(deps, reader, {
    key: listKey(input),
    build: async () => {
      const { page, articleIds, authorIds } = await listArticlesWithIds(deps, input, undefined);
      return { answer: page, articleIds, authorIds };
    },
    personal: (viewer) => listArticles(deps, input, viewer),
  });
}

/** GET /api/articles/:slug; names no article can have are not found before any cache lookup. */
export async function getArticleJson(deps: AppDeps, slug: string, reader: Reader): Promise<Buffer> {
  if (!canBeSlug(slug)) throw notFound('article');
  return answer(deps, reader, {
    key: ['article', slug],
    build: async () => {
      const { article, id, authorId } = await getArticleWithIds(deps, slug, undefined);
      return { answer: { article }, articleIds: [id], authorIds: [authorId] };
    },
    personal: async (viewer) => ({ article: await getArticle(deps, slug, viewer) }),
  });
}
