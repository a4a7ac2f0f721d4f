/**
 * The ceiling: a bare Koa 3 app (no router, no middleware besides its one handler) that answers
 * every request with the bytes stored under one Redis key, read with one GET, and the Content-Type
 * blog-api served them with. Whatever blog-api does beyond this is its overhead on a cached page;
 * scripts/bench/reads.ts reports every read scenario as a ratio to this server's requests/s.
 *
 *   CEILING_PORT=... CEILING_REDIS_URL=redis://127.0.0.1:PORT CEILING_KEY=... \
 *   CEILING_CONTENT_TYPE='application/json; charset=utf-8' node --import tsx scripts/bench/ceiling-server.ts
 *
 * Started and stopped (by PID) by scripts/bench/ceiling.ts, which runs it compiled to plain
 * JavaScript (as the service runs from dist/); loopback only.
 */
import Koa from 'koa';
import { Redis } from 'ioredis';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const port = Number(env('CEILING_PORT'));
const key = env('CEILING_KEY');
const contentType = env('CEILING_CONTENT_TYPE');
const redis = new Redis(env('CEILING_REDIS_URL'), { maxRetriesPerRequest: 1 });

const app = new Koa();
app.use(async (ctx) => {
  const page = await redis.getBuffer(key);
  if (page === null) {
    ctx.status = 404;
    return;
  }
  // Before the body: a Buffer body would otherwise set application/octet-stream.
  ctx.set('Content-Type', contentType);
  ctx.body = page;
});

const server = app.listen(port, '127.0.0.1');
const stop = () => {
  server.close();
  redis.disconnect();
  // Keep-alive connections of the load generator would hold close() open; nothing is in flight.
  setTimeout(() => process.exit(0), 200).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
