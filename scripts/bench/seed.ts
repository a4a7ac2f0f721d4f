/**
 * The data the read scenarios and the mix run on, created through the service's own API (as
 * perf-facts.md measured it): a few authors with 40 articles of ~600-byte bodies and tags, a viewer
 * who follows some authors and favorites some articles (so a signed-in page has both personal
 * fields true and false), and signed-in users whose tokens the mix posts with.
 */
import { call, register } from './http.js';

export interface SeedOptions {
  articles: number;
  bodyBytes: number;
  authors: number;
  /** Users whose tokens the mix's POSTs rotate through. */
  posters: number;
  /** Unique per run, so usernames never collide. */
  runId: string;
}

export interface ReadDataset {
  articles: number;
  viewerToken: string;
  posterTokens: string[];
  /** A tag on every other article: its first page is full at 40 articles and limit 20. */
  tag: string;
  /** Topic tags, one per article in rotation (the mix's posts reuse them). */
  topics: string[];
  /** An article read by slug. */
  slug: string;
  bodyText: string;
  follows: number;
  favorites: number;
  /** Users registered (each one scrypt hash in the service). */
  signUps: number;
}

const TOPICS = ['dragons', 'koa', 'mysql', 'redis', 'kubernetes', 'latency'];
const FEATURED = 'featured';

/** ASCII filler of exactly `bytes` characters (deterministic; JSON- and Lua-safe). */
export function articleBody(bytes: number, seed: number): string {
  const sentence = `Article ${seed} of the bench: a cached page must be cheap to serve, and this text fills it. `;
  return sentence.repeat(Math.ceil(bytes / sentence.length)).slice(0, bytes);
}

async function ok<T>(what: string, p: Promise<{ status: number; body: T | undefined }>, expected: number[]): Promise<T> {
  const res = await p;
  if (!expected.includes(res.status) || res.body === undefined) throw new Error(`${what}: status ${res.status}`);
  return res.body;
}

/** Everything is sequential: registration is scrypt, and parallel sign-ups would be shed (503). */
export async function seedReadDataset(baseUrl: string, options: SeedOptions): Promise<ReadDataset> {
  const authors: { username: string; token: string }[] = [];
  for (let i = 0; i < options.authors; i += 1) {
    const username = `author${options.runId}${i}`;
    authors.push({ username, token: await register(baseUrl, username) });
  }
  const viewerToken = await register(baseUrl, `viewer${options.runId}`);
  const posterTokens: string[] = [];
  for (let i = 0; i < options.posters; i += 1) posterTokens.push(await register(baseUrl, `poster${options.runId}${i}`));

  const slugs: string[] = [];
  for (let i = 0; i < options.articles; i += 1) {
    const author = authors[i % authors.length];
    if (!author) throw new Error('at least one author is needed');
    const tagList = [TOPICS[i % TOPICS.length] ?? 'bench', ...(i % 2 === 0 ? [FEATURED] : [])];
    const body = await ok(
      `post article ${i}`,
      call<{ article?: { slug?: string } }>(baseUrl, 'POST', '/api/articles', {
        token: author.token,
        body: {
          article: {
            title: `Bench article ${options.runId} ${i}`,
            description: `About ${tagList[0]}`,
            body: articleBody(options.bodyBytes, i),
            tagList,
          },
        },
      }),
      [201],
    );
    if (!body.article?.slug) throw new Error(`post article ${i}: no slug in the answer`);
    slugs.push(body.article.slug);
  }

  // The viewer follows half the authors and favorites every third article.
  let follows = 0;
  for (const author of authors.slice(0, Math.ceil(authors.length / 2))) {
    await ok(
      `follow ${author.username}`,
      call(baseUrl, 'POST', `/api/profiles/${author.username}/follow`, { token: viewerToken }),
      [200],
    );
    follows += 1;
  }
  let favorites = 0;
  for (const [i, slug] of slugs.entries()) {
    if (i % 3 !== 0) continue;
    await ok(`favorite ${slug}`, call(baseUrl, 'POST', `/api/articles/${slug}/favorite`, { token: viewerToken }), [200]);
    favorites += 1;
  }
  const slug = slugs[Math.floor(slugs.length / 2)];
  if (!slug) throw new Error('no article was created');
  return {
    articles: slugs.length,
    viewerToken,
    posterTokens,
    tag: FEATURED,
    topics: TOPICS,
    slug,
    bodyText: articleBody(options.bodyBytes, 0),
    follows,
    favorites,
    signUps: authors.length + 1 + posterTokens.length,
  };
}
