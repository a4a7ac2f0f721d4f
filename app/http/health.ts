import Router from '@koa/router';

export interface Readiness {
  /** True from SIGTERM on: the load balancer must stop sending traffic at once. */
  shuttingDown: boolean;
  /** Checks the database (not Redis: without it the service degrades to MySQL, still ready). */
  check(): Promise<{ ok: boolean; reason?: string }>;
}

export function healthRoutes(readiness: Readiness): Router {
  const router = new Router();
  router.get('/livez', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    if (readiness.shuttingDown) {
      ctx.status = 503;
      ctx.body = { status: 'shutting down' };
      return;
    }
    const result = await readiness.check();
    ctx.status = result.ok ? 200 : 503;
    ctx.body = result.ok ? { status: 'ready' } : { status: 'not ready', reason: result.reason ?? 'unknown' };
  });
  return router;
}
