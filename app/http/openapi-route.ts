import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import { buildOpenApiDocument } from './openapi-document.js';
import { openApiSpec } from './openapi-operations.js';

export const OPENAPI_ROUTE = '/api/openapi.json';

/** The service's own version (package.json, found from app/http or dist/app/http alike). */
function serviceVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'blog-api' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return '0.0.0';
}

let document: string | undefined;

/** The document as served: built on first request, then kept (it depends on nothing that changes). */
export function openApiJson(): string {
  document ??= JSON.stringify(buildOpenApiDocument(openApiSpec(serviceVersion())));
  return document;
}

/** GET /api/openapi.json: public (no token, no budget), answered from memory. */
export function openApiRoutes(): Router {
  const router = new Router();
  router.get(OPENAPI_ROUTE, (ctx) => {
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = openApiJson();
  });
  return router;
}
