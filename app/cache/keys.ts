/**
 * The one place that knows Redis key names.
 *
 * Modules name what they cache with the logical keys below ("article:42", "idx:tag:dragons").
 * The engine turns a logical key into physical ones for the current epoch of the namespace:
 *   <namespace>:<epoch>:<logical>        the value (a string, or a sorted set for an index)
 *   <namespace>:<epoch>:v:<logical>      its version, bumped by every write that touches it, so a
 *                                        fill that read MySQL before the write cannot store
 *   <namespace>:<epoch>:lease:<logical>  its fill lease (SET NX PX): one replica fills at a time
 * and <namespace>:epoch holds the current epoch. Starting a new epoch (after a write that could not
 * reach Redis) abandons every old entry at once; TTLs reclaim them.
 *
 * Scripts receive every key they touch in KEYS, built here; they never assemble names. The
 * namespace carries a hash tag ({incarnation}), so every key of one namespace lives in one slot of
 * a Redis Cluster, as multi-key scripts require there.
 */

/** Physical key names of one namespace (one database incarnation). */
export interface Keyspace {
  readonly epochKey: string;
  /** The value, version and lease keys of a logical key in an epoch. */
  entry(epoch: string, logical: string): EntryKeys;
}

export interface EntryKeys {
  readonly data: string;
  readonly version: string;
  readonly lease: string;
}

/** Namespace per database incarnation: tests share one Redis, and a re-created database reuses ids. */
export function keyspaceFor(databaseName: string, incarnation: string): Keyspace {
  const namespace = `blog:${databaseName}:{${incarnation}}`;
  return {
    epochKey: `${namespace}:epoch`,
    entry: (epoch, logical) => ({
      data: `${namespace}:${epoch}:${logical}`,
      version: `${namespace}:${epoch}:v:${logical}`,
      lease: `${namespace}:${epoch}:lease:${logical}`,
    }),
  };
}

/** The member that marks a sorted-set index as complete; real members are positive ids. */
export const INDEX_COMPLETE_MEMBER = '#';

/** Logical keys, one function per cached thing. */
export const cacheKeys = {
  /** Article as listed, without personal fields: JSON. */
  article: (id: number) => `article:${id}`,
  /** Article body, kept apart so list pages do not fetch bodies. */
  articleBody: (id: number) => `article_body:${id}`,
  /** Slug -> article id. */
  articleSlug: (slug: string) => `slug:${slug}`,
  /** Public profile fields of a user: JSON. */
  profile: (userId: number) => `profile:${userId}`,
  /** Username -> user id; lower-cased because MySQL compares usernames case-insensitively. */
  userId: (username: string) => `uid:${username.toLowerCase()}`,
  /** The popular-tags answer. */
  popularTags: () => 'tags:popular',
  /** Comments of an article (rows without author profiles): JSON. */
  comments: (articleId: number) => `comments:${articleId}`,
  /** Sorted sets of article ids (score = id, newest first) with the completion member. */
  indexAll: () => 'idx:all',
  indexTag: (tag: string) => `idx:tag:${tag}`,
  indexAuthor: (userId: number) => `idx:author:${userId}`,
  /** Articles a user favorited: the ?favorited= list and "favorited by me" on every page. */
  indexFavorites: (userId: number) => `idx:fav:${userId}`,
  /** Users a user follows (score = followee id): "following" on every author shown to them. */
  following: (userId: number) => `following:${userId}`,
  /** Every article page's answer (lists and single articles) as anonymous readers see it: a hash, one field per page. */
  listPages: () => 'pages',
} as const;

/**
 * The field beside a page in the pages hash that holds its digest and listed ids (commands.ts,
 * pageMeta). Page fields are JSON arrays, so no page is ever named like this.
 */
export function pageMetaField(pageField: string): string {
  return `meta:${pageField}`;
}

/** What pages are built from: article entries and bodies, slugs, id indexes and author profiles. */
const PAGE_SOURCES = ['article:', 'article_body:', 'slug:', 'idx:', 'profile:'];

/**
 * A write that touches anything pages are built from drops every page (RedisCache.afterWrite adds
 * the drop, so no writer can forget it).
 */
export function listPagesDependOn(logical: string): boolean {
  return PAGE_SOURCES.some((prefix) => logical.startsWith(prefix));
}
