import { z } from 'zod';
import { envelope, requiredText } from '../fields.js';
import { ProfileSchema } from '../profiles/profile-schemas.js';

export const MAX_TAGS = 10;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
const MAX_OFFSET = 100_000;

const tagList = z
  .array(
    z
      .string({ error: 'must be a list of strings' })
      .trim()
      .min(1, { error: "can't contain blank tags" })
      .max(64, { error: 'tags are at most 64 characters' }),
    { error: 'must be a list of strings' },
  )
  .max(MAX_TAGS, { error: `at most ${MAX_TAGS} tags` })
  .transform((tags) => [...new Set(tags)]);

const title = requiredText(200);
const description = requiredText(500);
const body = requiredText(100_000);

export const CreateArticleRequest = envelope(
  'article',
  z.object({ title, description, body, tagList: tagList.optional() }, { error: "can't be blank" }),
);

export const UpdateArticleRequest = envelope(
  'article',
  z
    .object(
      { title: title.optional(), description: description.optional(), body: body.optional(), tagList: tagList.optional() },
      { error: "can't be blank" },
    )
    .refine((a) => Object.values(a).some((v: unknown) => v !== undefined), {
      error: 'must change at least one field',
      path: ['article'],
    }),
);

const queryString = z.string({ error: 'must be given once' }).trim().min(1, { error: "can't be blank" }).max(254);

/** limit above the cap is clamped rather than refused, so generic clients keep working. */
const limit = z.coerce
  .number({ error: 'must be an integer' })
  .int({ error: 'must be an integer' })
  .min(1, { error: 'must be at least 1' })
  .transform((n) => Math.min(n, MAX_PAGE_SIZE))
  .default(DEFAULT_PAGE_SIZE)
  .meta({ description: `page size, ${DEFAULT_PAGE_SIZE} when absent; above ${MAX_PAGE_SIZE} it is taken as ${MAX_PAGE_SIZE}` });
const offset = z.coerce
  .number({ error: 'must be an integer' })
  .int({ error: 'must be an integer' })
  .min(0, { error: 'must be at least 0' })
  .max(MAX_OFFSET, { error: `must be at most ${MAX_OFFSET}` })
  .default(0);

export const PageQuery = z.object({ limit, offset });
export const ListArticlesQuery = PageQuery.extend({
  tag: queryString.optional(),
  author: queryString.optional(),
  favorited: queryString.optional(),
});

export type CreateArticleInput = z.output<typeof CreateArticleRequest>['article'];
export type UpdateArticleInput = z.output<typeof UpdateArticleRequest>['article'];
export type PageInput = z.output<typeof PageQuery>;
export type ListArticlesInput = z.output<typeof ListArticlesQuery>;

/**
 * What the API answers (RealWorld `Article`; a list omits the body). The OpenAPI document is
 * generated from these; app/http/openapi-operations.ts fails to compile if they and the types
 * the article service returns ever disagree.
 */
const timestamp = z.string().meta({ format: 'date-time' });

export const ArticleSummarySchema = z.object({
  slug: z.string(),
  title: z.string(),
  description: z.string(),
  tagList: z.array(z.string()).meta({ description: 'sorted alphabetically, ignoring case' }),
  createdAt: timestamp,
  updatedAt: timestamp,
  favorited: z.boolean().meta({ description: 'whether the caller favorited it (false when anonymous)' }),
  favoritesCount: z.number().int(),
  author: ProfileSchema,
});

export const ArticleSchema = ArticleSummarySchema.extend({ body: z.string() });

export const SingleArticleResponse = z.object({ article: ArticleSchema });

export const MultipleArticlesResponse = z.object({
  articles: z.array(ArticleSummarySchema).meta({ description: 'newest first' }),
  articlesCount: z.number().int().meta({ description: 'how many articles match, on all pages' }),
});
