/**
 * Scenario 3: statements per list page for page sizes 1, 20 and 100, anonymous and signed in.
 * Requests are sequential and nothing else talks to the service, so the route's
 * http_request_db_queries sum/count over them is exact.
 */
import { summarize, type LatencySummary } from './format.js';
import { call, postArticle, register } from './http.js';
import { delta, scrape } from './metrics.js';
import type { BenchService } from './service.js';

export interface PageResult {
  cache: 'on' | 'off';
  viewer: 'anonymous' | 'signed-in';
  limit: number;
  articlesOnPage: number;
  requests: number;
  statementsPerGet: number;
  latencyMs: LatencySummary;
}

export async function runPages(
  service: BenchService,
  options: { cache: boolean; articles: number; limits: readonly number[]; repeats: number },
): Promise<PageResult[]> {
  const author = await register(service.baseUrl, `pagesa${service.pid}`);
  const viewerToken = await register(service.baseUrl, `pagesv${service.pid}`);
  for (let i = 0; i < options.articles; i += 1)
    await postArticle(service.baseUrl, author, `Page seed ${i}`, ['bench', `t${i % 5}`]);

  const rows: PageResult[] = [];
  for (const limit of options.limits) {
    for (const viewer of ['anonymous', 'signed-in'] as const) {
      const token = viewer === 'signed-in' ? viewerToken : undefined;
      const path = `/api/articles?limit=${limit}`;
      await call(service.baseUrl, 'GET', path, { token }); // warm (JIT; cache fill when on)
      const before = await scrape(service.metricsUrl);
      const times: number[] = [];
      let articlesOnPage = 0;
      for (let i = 0; i < options.repeats; i += 1) {
        const res = await call<{ articles?: unknown[] }>(service.baseUrl, 'GET', path, { token });
        if (res.status !== 200) throw new Error(`GET ${path} (${viewer}): status ${res.status}`);
        articlesOnPage = res.body?.articles?.length ?? 0;
        times.push(res.ms);
      }
      const after = await scrape(service.metricsUrl);
      const route = { method: 'GET', route: '/api/articles' };
      const count = delta(before, after, 'http_request_db_queries_count', route);
      if (count !== options.repeats) throw new Error(`expected ${options.repeats} list GETs in the metrics, saw ${count}`);
      rows.push({
        cache: options.cache ? 'on' : 'off',
        viewer,
        limit,
        articlesOnPage,
        requests: options.repeats,
        statementsPerGet: delta(before, after, 'http_request_db_queries_sum', route) / count,
        latencyMs: summarize(times),
      });
    }
  }
  return rows;
}
