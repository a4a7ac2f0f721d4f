import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parse as parseQuery } from 'node:querystring';
import { storedArticle, storedList } from '../modules/articles/article-pages.js';
import { ListArticlesQuery } from '../modules/articles/article-schemas.js';
import type { AppDeps } from '../modules/deps.js';
import { accessLogger, type Logger } from '../platform/log.js';
import { httpRequestsInFlight } from '../platform/metrics.js';
import { tokenOf } from './auth.js';
import { simpleRequestCorsHeaders, type CorsOptions } from './cors.js';
import { recordAnswer, requestIdFrom } from './observe.js';
import { rememberStoredPageMiss } from './stored-page-misses.js';

/** What node:http calls per request: Koa's app.callback(), or this fast path in front of it. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const LIST_PATH = '/api/articles';
const ARTICLE_PATH_PREFIX = '/api/articles/';
/** The route labels Koa's router gives these requests (observe.routeLabel): one series per route. */
const LIST_ROUTE = '/api/articles';
const ARTICLE_ROUTE = '/api/articles/:slug';

interface StoredRead {
  path: string;
  route: string;
  find(viewerId: number | undefined): Promise<Buffer | undefined>;
}

function decodedOrUndefined(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The stored answer this request asks for, if it is one this path serves: a GET of the article
 * list (a query the route's own schema accepts) or of one article. Anything else (another path or
 * method, a query the route would refuse with 422) is Koa's.
 */
function storedReadFor(deps: AppDeps, req: IncomingMessage): StoredRead | undefined {
  if (req.method !== 'GET') return undefined;
  const url = req.url ?? '';
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  if (path === LIST_PATH) {
    // Parsed as Koa parses ctx.query, checked by the schema the route handler uses: same key.
    const input = ListArticlesQuery.safeParse(parseQuery(queryAt < 0 ? '' : url.slice(queryAt + 1)));
    if (!input.success) return undefined;
    return { path, route: LIST_ROUTE, find: (viewerId) => storedList(deps, input.data, viewerId) };
  }
  if (!path.startsWith(ARTICLE_PATH_PREFIX)) return undefined;
  const segment = path.slice(ARTICLE_PATH_PREFIX.length);
  // "feed" is its own route (signed in only); a slug never holds a slash.
  if (segment === '' || segment === 'feed' || segment.includes('/')) return undefined;
  const slug = decodedOrUndefined(segment);
  if (slug === undefined) return undefined;
  return { path, route: ARTICLE_ROUTE, find: (viewerId) => storedArticle(deps, slug, viewerId) };
}

/**
 * The caller's user id; undefined when anonymous; null when the header is not usable here (malformed,
 * invalid or expired token: Koa answers it with its 401).
 */
async function viewerOf(deps: AppDeps, req: IncomingMessage): Promise<number | undefined | null> {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const token = tokenOf(header);
  if (token === undefined) return null;
  return deps.tokens.verify(token).catch(() => null);
}

/**
 * The hottest answers without Koa: a read of an article list or an article whose page is stored
 * (and, signed in, whose reader's favorites and followees are) is written here, after one Redis
 * round trip, with the headers, metrics and log line Koa's middleware would give it
 * (test/integration/cached-reads.test.ts holds both paths to the same answer). The issue-13
 * profile put Koa's middleware chain (context, compose, the request context, routing) at about a
 * third of such a request's CPU. Every miss and every other request goes to Koa unchanged:
 * whatever needs MySQL (a build, a viewer's set to load) or answers an error.
 */
export function withCachedReads(
  deps: AppDeps,
  options: { log: Logger; cors: CorsOptions },
  next: RequestHandler,
): RequestHandler {
  const access = accessLogger(options.log);
  return async (req, res) => {
    const read = storedReadFor(deps, req);
    if (read === undefined) return next(req, res);
    const started = performance.now();
    httpRequestsInFlight.inc();
    let body: Buffer | undefined;
    let anonymousMiss = false;
    try {
      const viewerId = await viewerOf(deps, req);
      body = viewerId === null ? undefined : await read.find(viewerId);
      anonymousMiss = viewerId === undefined && body === undefined;
    } catch {
      // The full path answers, and reports, whatever went wrong here.
      body = undefined;
    } finally {
      httpRequestsInFlight.dec();
    }
    if (body === undefined) {
      if (anonymousMiss) rememberStoredPageMiss(req);
      return next(req, res);
    }
    const requestId = requestIdFrom(req.headers['x-request-id'] as string | undefined);
    res.writeHead(200, {
      'X-Request-Id': requestId,
      ...simpleRequestCorsHeaders(req.headers.origin, options.cors),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': body.length,
    });
    res.end(body);
    recordAnswer(access, {
      requestId,
      method: 'GET',
      path: read.path,
      route: read.route,
      status: 200,
      seconds: (performance.now() - started) / 1000,
      dbStatements: 0,
    });
  };
}
