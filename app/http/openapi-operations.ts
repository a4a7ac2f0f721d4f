import { z } from 'zod';
import {
  ArticleSchema,
  ArticleSummarySchema,
  CreateArticleRequest,
  ListArticlesQuery,
  MultipleArticlesResponse,
  PageQuery,
  SingleArticleResponse,
  UpdateArticleRequest,
} from '../modules/articles/article-schemas.js';
import type { Article, ArticlePage, ArticleSummary } from '../modules/articles/article-service.js';
import {
  CommentIdParams,
  CommentSchema,
  CreateCommentRequest,
  MultipleCommentsResponse,
  SingleCommentResponse,
} from '../modules/comments/comment-schemas.js';
import type { Comment } from '../modules/comments/comment-service.js';
import { ProfileResponse, ProfileSchema } from '../modules/profiles/profile-schemas.js';
import { TagsResponse } from '../modules/tags/tag-schemas.js';
import { LoginRequest, RegisterRequest, UpdateUserRequest, UserEnvelope, UserSchema } from '../modules/users/user-schemas.js';
import type { ErrorOutcome, OpenApiSpec, Operation } from './openapi-document.js';

/**
 * The API as the OpenAPI document describes it: which schema each handler parses its input with,
 * which it answers with, and the statuses it can answer. Paths are the routers' templates;
 * test/integration/openapi.test.ts fails when a route exists that is not described here.
 */

/*
 * The article and comment services declare their answer types themselves; these lines stop the
 * build when those types and the schemas the document is generated from stop being the same.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape = <T extends true>(proof: T): T => proof;
sameShape<Same<z.output<typeof ArticleSummarySchema>, ArticleSummary>>(true);
sameShape<Same<z.output<typeof ArticleSchema>, Article>>(true);
sameShape<Same<z.output<typeof MultipleArticlesResponse>, ArticlePage>>(true);
sameShape<Same<z.output<typeof CommentSchema>, Comment>>(true);

/** Every failure's body (app/http/errors.ts). */
export const ErrorResponse = z
  .object({ errors: z.record(z.string(), z.array(z.string())) })
  .meta({ description: 'Keys name the field or topic ("email", "article", "email or password"); values are messages.' });

const retryAfter = {
  'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
};

const responses: OpenApiSpec['responses'] = {
  BadJson: { description: 'The body is not valid JSON (`errors.body`).', schema: ErrorResponse },
  Unauthorized: {
    description:
      'The token is missing (where required), malformed, expired or names a deleted user (`errors.token`); ' +
      'a failed login answers `errors["email or password"]`. A bad token is refused even where auth is optional.',
    schema: ErrorResponse,
  },
  Forbidden: { description: 'Only the author may do this.', schema: ErrorResponse },
  NotFound: { description: 'No such article, comment or profile.', schema: ErrorResponse },
  BodyTooLarge: { description: 'The body is larger than BODY_LIMIT_BYTES.', schema: ErrorResponse },
  ValidationFailed: { description: 'Invalid input: each offending field names its problems.', schema: ErrorResponse },
  RateLimited: {
    description:
      "Over this client's request budget (`errors.rate`): sign-ups and logins, and all writes, are limited per client.",
    schema: ErrorResponse,
    headers: retryAfter,
  },
  Overloaded: {
    description: 'Shed under load (database pool or password hashing saturated); retry after the given seconds.',
    schema: ErrorResponse,
    headers: retryAfter,
  },
};

const is = (status: number, response: string): ErrorOutcome => ({ status, response });

interface Described extends Omit<Operation, 'errors'> {
  /** Outcomes particular to this operation (403, 404, a 422 that is no input check). */
  also?: readonly ErrorOutcome[];
}

/** Outcomes every operation of its kind has, derived from how the router is built (app.ts). */
function withCommonErrors(op: Described): Operation {
  const errors = new Map<number, ErrorOutcome>();
  const add = (outcome: ErrorOutcome) => errors.set(outcome.status, outcome);
  // authMiddleware runs on every /api route: a bad token is 401 even where none is needed.
  add(is(401, 'Unauthorized'));
  if (op.body) [is(400, 'BadJson'), is(413, 'BodyTooLarge'), is(422, 'ValidationFailed')].forEach(add);
  if (op.query ?? op.params) add(is(422, 'ValidationFailed'));
  if (op.method !== 'get') add(is(429, 'RateLimited'));
  add(is(503, 'Overloaded'));
  for (const outcome of op.also ?? []) add(outcome);
  const { also: _also, ...operation } = op;
  return { ...operation, errors: [...errors.values()] };
}

const slug = { slug: 'the article: its slug' };
const username = { username: 'the user name' };

const described: readonly Described[] = [
  // User and Authentication
  {
    method: 'post',
    route: '/api/users/login',
    operationId: 'Login',
    tag: 'User and Authentication',
    summary: 'Log in: the user, with a fresh token',
    auth: 'none',
    body: LoginRequest,
    success: { status: 200, description: 'The user, with a token', schema: UserEnvelope },
  },
  {
    method: 'post',
    route: '/api/users',
    operationId: 'CreateUser',
    tag: 'User and Authentication',
    summary: 'Register a new user',
    auth: 'none',
    body: RegisterRequest,
    success: { status: 201, description: 'The new user, with a token', schema: UserEnvelope },
  },
  {
    method: 'get',
    route: '/api/user',
    operationId: 'GetCurrentUser',
    tag: 'User and Authentication',
    summary: 'The logged-in user',
    auth: 'required',
    success: { status: 200, description: 'The user, with the token sent', schema: UserEnvelope },
  },
  {
    method: 'put',
    route: '/api/user',
    operationId: 'UpdateCurrentUser',
    tag: 'User and Authentication',
    summary: 'Update the logged-in user (at least one field)',
    auth: 'required',
    body: UpdateUserRequest,
    success: { status: 200, description: 'The updated user', schema: UserEnvelope },
  },
  // Profile
  {
    method: 'get',
    route: '/api/profiles/:username',
    operationId: 'GetProfileByUsername',
    tag: 'Profile',
    summary: "A user's public profile",
    auth: 'optional',
    paramDescriptions: username,
    success: { status: 200, description: 'The profile', schema: ProfileResponse },
    also: [is(404, 'NotFound')],
  },
  {
    method: 'post',
    route: '/api/profiles/:username/follow',
    operationId: 'FollowUserByUsername',
    tag: 'Profile',
    summary: 'Follow a user',
    auth: 'required',
    paramDescriptions: username,
    success: { status: 200, description: 'The profile, now followed', schema: ProfileResponse },
    also: [is(404, 'NotFound'), is(422, 'ValidationFailed')],
  },
  {
    method: 'delete',
    route: '/api/profiles/:username/follow',
    operationId: 'UnfollowUserByUsername',
    tag: 'Profile',
    summary: 'Unfollow a user',
    auth: 'required',
    paramDescriptions: username,
    success: { status: 200, description: 'The profile, no longer followed', schema: ProfileResponse },
    also: [is(404, 'NotFound')],
  },
  // Articles
  {
    method: 'get',
    route: '/api/articles/feed',
    operationId: 'GetArticlesFeed',
    tag: 'Articles',
    summary: 'Articles by the users the caller follows, newest first',
    auth: 'required',
    query: PageQuery,
    success: { status: 200, description: 'A page of articles (without bodies)', schema: MultipleArticlesResponse },
  },
  {
    method: 'get',
    route: '/api/articles',
    operationId: 'GetArticles',
    tag: 'Articles',
    summary: 'Articles, newest first, filtered by tag, author or favoriter',
    auth: 'optional',
    query: ListArticlesQuery,
    success: { status: 200, description: 'A page of articles (without bodies)', schema: MultipleArticlesResponse },
  },
  {
    method: 'post',
    route: '/api/articles',
    operationId: 'CreateArticle',
    tag: 'Articles',
    summary: 'Write an article',
    auth: 'required',
    body: CreateArticleRequest,
    success: { status: 201, description: 'The new article', schema: SingleArticleResponse },
  },
  {
    method: 'get',
    route: '/api/articles/:slug',
    operationId: 'GetArticle',
    tag: 'Articles',
    summary: 'An article',
    auth: 'optional',
    paramDescriptions: slug,
    success: { status: 200, description: 'The article', schema: SingleArticleResponse },
    also: [is(404, 'NotFound')],
  },
  {
    method: 'put',
    route: '/api/articles/:slug',
    operationId: 'UpdateArticle',
    tag: 'Articles',
    summary: 'Change an article (its author only; at least one field)',
    auth: 'required',
    paramDescriptions: slug,
    body: UpdateArticleRequest,
    success: { status: 200, description: 'The changed article (a new title gives it a new slug)', schema: SingleArticleResponse },
    also: [is(403, 'Forbidden'), is(404, 'NotFound')],
  },
  {
    method: 'delete',
    route: '/api/articles/:slug',
    operationId: 'DeleteArticle',
    tag: 'Articles',
    summary: 'Delete an article (its author only)',
    auth: 'required',
    paramDescriptions: slug,
    success: { status: 204, description: 'Deleted' },
    also: [is(403, 'Forbidden'), is(404, 'NotFound')],
  },
  // Comments
  {
    method: 'get',
    route: '/api/articles/:slug/comments',
    operationId: 'GetArticleComments',
    tag: 'Comments',
    summary: "An article's comments",
    auth: 'optional',
    paramDescriptions: slug,
    success: { status: 200, description: 'The comments', schema: MultipleCommentsResponse },
    also: [is(404, 'NotFound')],
  },
  {
    method: 'post',
    route: '/api/articles/:slug/comments',
    operationId: 'CreateArticleComment',
    tag: 'Comments',
    summary: 'Comment on an article',
    auth: 'required',
    paramDescriptions: slug,
    body: CreateCommentRequest,
    success: { status: 200, description: 'The new comment', schema: SingleCommentResponse },
    also: [is(404, 'NotFound')],
  },
  {
    method: 'delete',
    route: '/api/articles/:slug/comments/:id',
    operationId: 'DeleteArticleComment',
    tag: 'Comments',
    summary: 'Delete a comment (its author only)',
    auth: 'required',
    params: CommentIdParams,
    paramDescriptions: { ...slug, id: 'the comment id' },
    success: { status: 204, description: 'Deleted' },
    also: [is(403, 'Forbidden'), is(404, 'NotFound')],
  },
  // Favorites
  {
    method: 'post',
    route: '/api/articles/:slug/favorite',
    operationId: 'CreateArticleFavorite',
    tag: 'Favorites',
    summary: 'Favorite an article',
    auth: 'required',
    paramDescriptions: slug,
    success: { status: 200, description: 'The article, favorited', schema: SingleArticleResponse },
    also: [is(404, 'NotFound')],
  },
  {
    method: 'delete',
    route: '/api/articles/:slug/favorite',
    operationId: 'DeleteArticleFavorite',
    tag: 'Favorites',
    summary: 'Unfavorite an article',
    auth: 'required',
    paramDescriptions: slug,
    success: { status: 200, description: 'The article, no longer favorited', schema: SingleArticleResponse },
    also: [is(404, 'NotFound')],
  },
  // Tags
  {
    method: 'get',
    route: '/api/tags',
    operationId: 'GetTags',
    tag: 'Tags',
    summary: 'The most used tags',
    auth: 'none',
    success: { status: 200, description: 'The tags', schema: TagsResponse },
  },
];

const TOKEN_SCHEME = {
  type: 'apiKey',
  in: 'header',
  name: 'Authorization',
  description:
    'The token from registering (POST /users) or logging in (POST /users/login), sent as `Authorization: Token <jwt>` ' +
    '(`Bearer <jwt>` is accepted too).',
};

export function openApiSpec(version: string): OpenApiSpec {
  return {
    info: {
      title: 'blog-api: RealWorld (Conduit) API',
      version,
      description:
        'What this service accepts and answers, generated from the schemas its handlers validate with. ' +
        'Browsers on other origins are served per CORS_ORIGINS; writes are rate-limited per client.',
    },
    serverUrl: '/api',
    securitySchemeName: 'Token',
    securityScheme: TOKEN_SCHEME,
    license: { name: 'MIT', identifier: 'MIT' },
    tags: [
      { name: 'User and Authentication', description: 'Registering, logging in, the current user' },
      { name: 'Profile', description: 'Public profiles and following' },
      { name: 'Articles', description: 'Articles, lists and the feed' },
      { name: 'Comments', description: "Articles' comments" },
      { name: 'Favorites', description: 'Favoriting articles' },
      { name: 'Tags', description: 'Popular tags' },
    ],
    requestComponents: [
      [LoginRequest, 'LoginUserRequest'],
      [RegisterRequest, 'NewUserRequest'],
      [UpdateUserRequest, 'UpdateUserRequest'],
      [CreateArticleRequest, 'NewArticleRequest'],
      [UpdateArticleRequest, 'UpdateArticleRequest'],
      [CreateCommentRequest, 'NewCommentRequest'],
    ],
    answerComponents: [
      [UserSchema, 'User'],
      [UserEnvelope, 'UserResponse'],
      [ProfileSchema, 'Profile'],
      [ProfileResponse, 'ProfileResponse'],
      [ArticleSummarySchema, 'ArticleSummary'],
      [ArticleSchema, 'Article'],
      [SingleArticleResponse, 'SingleArticleResponse'],
      [MultipleArticlesResponse, 'MultipleArticlesResponse'],
      [CommentSchema, 'Comment'],
      [SingleCommentResponse, 'SingleCommentResponse'],
      [MultipleCommentsResponse, 'MultipleCommentsResponse'],
      [TagsResponse, 'TagsResponse'],
      [ErrorResponse, 'ErrorResponse'],
    ],
    responses,
    operations: described.map(withCommonErrors),
  };
}
