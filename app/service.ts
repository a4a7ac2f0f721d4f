import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createApp } from './app.js';
import { NoCache, type Cache } from './cache/cache.js';
import type { Config } from './config.js';
import { createDatabase, createRawPool } from './db/database.js';
import { migrateToLatest, migrationsApplied } from './db/migrate.js';
import type { AppDeps } from './deps.js';
import { createTokenService } from './http/auth.js';
import type { Readiness } from './http/health.js';
import { createMetricsServer } from './http/metrics-server.js';
import type { Logger } from './log.js';
import { registry } from './metrics.js';

export interface RunningService {
  readonly port: number;
  readonly metricsPort: number;
  readonly deps: AppDeps;
  readonly readiness: Readiness;
  /** Graceful stop: /readyz 503 at once, stop accepting, drain in-flight requests, close pools. */
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Idle keep-alive sockets would hold close() open; in-flight requests are left to finish.
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

async function createCache(config: Config, log: Logger): Promise<Cache> {
  if (config.redisUrl === '') {
    log.info('REDIS_URL is empty: caching is off');
    return new NoCache();
  }
  log.info('Redis caching is not wired yet; serving from MySQL');
  return new NoCache();
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
  // Readiness uses its own connection: a saturated request pool must not make every pod unready.
  const healthDb = new Kysely<unknown>({ dialect: new MysqlDialect({ pool: createRawPool(config.databaseUrl, 1) }) });
  const cache = await createCache(config, log);
  const deps: AppDeps = { db: database.db, tokens: createTokenService(config.jwtSecret, config.jwtTtlSeconds), cache, log };

  let schemaReady = false;
  const readiness: Readiness = {
    shuttingDown: false,
    async check() {
      try {
        const probe = sql`SELECT 1`.execute(healthDb);
        await Promise.race([probe, new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
        schemaReady ||= await migrationsApplied(healthDb);
        return schemaReady ? { ok: true } : { ok: false, reason: 'migrations pending' };
      } catch {
        return { ok: false, reason: 'database unreachable' };
      }
    },
  };

  const app = createApp(deps, { bodyLimitBytes: config.bodyLimitBytes, readiness });
  const apiServer = createServer(app.callback());
  apiServer.keepAliveTimeout = 65_000; // longer than typical load balancer idle timeouts
  apiServer.headersTimeout = 66_000;
  apiServer.requestTimeout = 30_000;
  const metricsServer = createMetricsServer(registry);
  const port = await listen(apiServer, config.port);
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
        // Leave a second of the grace window for closing pools after the drain.
        await closeServer(apiServer, Math.max(0, config.shutdownGraceMs - 1000));
        await closeServer(metricsServer, 1000);
        await Promise.allSettled([database.close(), healthDb.destroy(), cache.close()]);
      })();
      return stopping;
    },
  };
}
