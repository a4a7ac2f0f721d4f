import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createApp } from './app.js';
import { createCache } from './cache/create-cache.js';
import type { Config } from './config.js';
import { applySessionSettings, createDatabase, createRawPool } from './db/database.js';
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
  // Its queue is short and its statements have a 2 s deadline, so a stalled database makes probes
  // fail fast instead of piling up.
  const healthPool = createRawPool(config.databaseUrl, 1, 4);
  applySessionSettings(healthPool, 2000, log);
  const healthDb = new Kysely<unknown>({ dialect: new MysqlDialect({ pool: healthPool }) });
  const cache = await createCache(config.redisUrl, config.databaseUrl, database.db, log);
  const deps: AppDeps = { db: database.db, tokens: createTokenService(config.jwtSecret, config.jwtTtlSeconds), cache, log };

  let schemaReady = false;
  const readiness: Readiness = {
    shuttingDown: false,
    async check() {
      const probe = async (): Promise<{ ok: boolean; reason?: string }> => {
        await sql`SELECT 1`.execute(healthDb);
        schemaReady ||= await migrationsApplied(healthDb);
        return schemaReady ? { ok: true } : { ok: false, reason: 'migrations pending' };
      };
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<{ ok: boolean; reason: string }>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, reason: 'database check timed out' }), 2000);
      });
      try {
        return await Promise.race([probe(), deadline]);
      } catch {
        return { ok: false, reason: 'database unreachable' };
      } finally {
        clearTimeout(timer);
      }
    },
  };

  const app = createApp(deps, { bodyLimitBytes: config.bodyLimitBytes, readiness });
  const handle = app.callback();
  let draining = false;
  const apiServer = createServer((req, res) => {
    // While draining, tell keep-alive clients to reconnect elsewhere and let each socket go as soon
    // as its answer is sent, so close() does not wait for idle sockets until the force timeout.
    if (draining) res.setHeader('Connection', 'close');
    res.once('finish', () => {
      if (draining) setImmediate(() => apiServer.closeIdleConnections());
    });
    void handle(req, res);
  });
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
        // Keep serving briefly so probes and load balancers see /readyz 503 and stop routing here
        // before the listener closes (the chart's preStop sleep covers most of this window).
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, config.shutdownGraceMs / 5)));
        // Leave time in the grace window for the delay above and for closing pools after the drain.
        draining = true;
        await closeServer(apiServer, Math.max(0, config.shutdownGraceMs - 2000));
        await closeServer(metricsServer, 1000);
        await Promise.allSettled([database.close(), healthDb.destroy(), cache.close()]);
      })();
      return stopping;
    },
  };
}
