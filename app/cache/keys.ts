/**
 * The one place that knows Redis key names.
 *
 * Modules name what they cache with the logical keys below ("article:42", "idx:tag:dragons").
 * RedisCache turns a logical key into a physical one inside its Lua scripts, by prepending the
 * namespace and the current epoch: `<namespace><epoch>:<logical>`. Bumping the epoch (after a
 * write that could not reach Redis) therefore abandons every old entry at once; TTLs reclaim them.
 *
 * Beside each value live a version counter (`...:v:<logical>`, bumped by every write so a fill
 * that read MySQL before the write cannot store its result) and a fill lease (`...:lease:<logical>`,
 * SET NX PX, so only one replica fills a key at a time).
 */

/** Namespace per database incarnation: tests share one Redis, and a re-created database reuses ids. */
export function namespaceFor(databaseName: string, incarnation: string): string {
  return `blog:${databaseName}:${incarnation}:`;
}

/** The epoch counter of a namespace (no TTL: losing it only means a new, empty epoch). */
export function epochKey(namespace: string): string {
  return `${namespace}epoch`;
}

/**
 * Lua helpers every script starts with; kept next to the naming rules above so both change together.
 * ARGV[1] is always the namespace.
 */
export const LUA_KEY_NAMES = `
local function data_key(ns, e, logical) return ns .. e .. ':' .. logical end
local function version_key(ns, e, logical) return ns .. e .. ':v:' .. logical end
local function lease_key(ns, e, logical) return ns .. e .. ':lease:' .. logical end
`;

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
} as const;
