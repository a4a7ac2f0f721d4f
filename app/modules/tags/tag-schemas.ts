import { z } from 'zod';

/** What GET /api/tags answers; the OpenAPI document is generated from it. */
export const TagsResponse = z.object({
  tags: z.array(z.string()).meta({ description: 'the most used tags, most used first' }),
});
