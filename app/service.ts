import type { Server } from 'node:http';
import { createApp } from './app.js';
import { createCache } from './cache/create-cache.js';
import type { Config } from './config.js';
import { readCacheIncarnation } from './db/cache-namespace.js';
import { createDatabase, databaseName } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { createDatabaseReadiness } from './db/readiness.js';
import { withCachedReads } from './http/cached-reads.js';
import { allowedOrigins } from './http/cors-origins.js';
import type { Readiness } from './http/health.js';
import { createMetricsServer } from './http/metrics-server.js';
import { closeServer, createApiServer, listen } from './http/server.js';
import type { AppDeps } from './modules/deps.js';
import { TagIds } from './modules/tags/tag-ids.js';
import { createPasswordHasher } from './modules/users/password.js';
import { createTokenService } from './modules/users/tokens.js';
import type { Logger } from './platform/log.js';
import { registry } from './platform/metrics.js';
import { createRateLimits } from './rate-limits.js';

export interface RunningService {
  readonly port: number;
  readonly metricsPort: number;
  readonly deps: AppDeps;
  readonly readiness: Readiness;
  /** Graceful stop: /readyz 503 at once, stop accepting, drain in-flight requests, close pools. */
  stop(): Promise<void>;
}

/** Wires config, database, cache and both HTTP servers; used by main.ts and by the tests. */
export async function startService(config: Config, log: Logger): Promise<RunningService> {
  if (config.jwtSecretIsDefault) {
    log.warn('JWT_SECRET is not set: using the insecure development secret. Set JWT_SECRET in any shared environment.');
  }
  if (config.migrateOnStart) await migrateToLatest(config.databaseUrl, log);

  const database = createDatabase(
    {
      url: config.databaseUrl,
      poolSize: config.dbPoolSize,
      acquireTimeoutMs: config.dbAcquireTimeoutMs,
      queueLimit: config.dbQueueLimit,
      statementTimeoutMs: config.dbStatementTimeoutMs,
    },
    log,
  );
  const dbReadiness = createDatabaseReadiness(config.databaseUrl, log);
  const [cache, limits] = await Promise.all([
    createCache(
      {
        redisUrl: config.redisUrl,
        databaseName: databaseName(config.databaseUrl),
        incarnation: () => readCacheIncarnation(database.db),
      },
      log,
    ),
    createRateLimits(config, log),
  ]);
  const deps: AppDeps = {
    db: database.db,
    cache,
    tokens: createTokenService(config.jwtSecret, config.jwtTtlSeconds),
    passwords: createPasswordHasher({ concurrency: config.hashConcurrency, queueLimit: 64, waitTimeoutMs: 2000 }),
    log,
    tagIds: new TagIds(),
  };
  const readiness: Readiness = { shuttingDown: false, check: () => dbReadiness.check() };

  const cors = { origins: allowedOrigins(config.corsOrigins), maxAgeSeconds: config.corsMaxAgeSeconds };
  const app = createApp(deps, { bodyLimitBytes: config.bodyLimitBytes, readiness, cors, rateLimits: limits.rateLimits });
  const api = createApiServer(withCachedReads(deps, { log, cors }, app.callback()));
  const metricsServer: Server = createMetricsServer(registry);
  const port = await listen(api.server, config.port);
  const metricsPort = await listen(metricsServer, config.metricsPort);
  log.info({ port, metricsPort }, 'blog-api listening');

  let stopping: Promise<void> | undefined;
  return {
    port,
    metricsPort,
    deps,
    readiness,
    stop() {
      stopping ??= (async () => {
        readiness.shuttingDown = true;
        // Keep serving briefly so probes and load balancers see /readyz 503 and stop routing here
        // before the listener closes (the chart's preStop sleep covers most of this window).
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, config.shutdownGraceMs / 5)));
        // Leave time in the grace window for the delay above and for closing pools after the drain.
        await api.drain(Math.max(0, config.shutdownGraceMs - 2000));
        await closeServer(metricsServer, 1000);
        await Promise.allSettled([database.close(), dbReadiness.close(), cache.close(), limits.close()]);
      })();
      return stopping;
    },
  };
}
