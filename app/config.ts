import { z } from 'zod';
import { originEntryProblem } from './http/cors-origins.js';

/** The development JWT secret; refused when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'blog-api-dev-secret-do-not-use-in-production';

const boolFromEnv = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const intFromEnv = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Local frontends on any port; a deployment serving browsers from elsewhere lists its origins. */
export const DEFAULT_CORS_ORIGINS = 'http://localhost:*,http://127.0.0.1:*';

/** CORS_ORIGINS: comma-separated origins or patterns, `*` for any, `none` for no cross-origin access. */
const corsOriginsFromEnv = z
  .string()
  .transform((v) =>
    v.trim().toLowerCase() === 'none'
      ? []
      : v
          .split(',')
          .map((e) => e.trim())
          .filter((e) => e !== ''),
  )
  .superRefine((entries, ctx) => {
    for (const entry of entries) {
      const problem = originEntryProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }
  });

const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: intFromEnv(0, 65535).default(3000),
  METRICS_PORT: intFromEnv(0, 65535).default(9464),
  DATABASE_URL: z.url().default('mysql://root@127.0.0.1:3306/blog'),
  DB_POOL_SIZE: intFromEnv(1, 1000).default(20),
  DB_ACQUIRE_TIMEOUT_MS: intFromEnv(1, 600_000).default(1000),
  // How many requests may wait for a connection at once; beyond that they are shed at once.
  DB_QUEUE_LIMIT: intFromEnv(0, 100_000).default(200),
  // Deadline for one SQL statement (MariaDB max_statement_time / lock_wait_timeout).
  DB_STATEMENT_TIMEOUT_MS: intFromEnv(100, 600_000).default(5000),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  JWT_SECRET: z.string().optional(),
  JWT_TTL_SECONDS: intFromEnv(60, 90 * 24 * 3600).default(7 * 24 * 3600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: intFromEnv(0, 600_000).default(10_000),
  MIGRATE_ON_START: boolFromEnv.default(true),
  // Largest JSON body accepted; larger ones get 413.
  BODY_LIMIT_BYTES: intFromEnv(1024, 50 * 1024 * 1024).default(256 * 1024),
  // Browser origins allowed to call the API (CORS), and how long a preflight answer may be reused
  // (Chromium caps it at 7200 s, Firefox at 86400 s).
  CORS_ORIGINS: corsOriginsFromEnv.default(DEFAULT_CORS_ORIGINS.split(',')),
  CORS_MAX_AGE_SECONDS: intFromEnv(0, 86_400).default(600),
  // Proxies of ours in front (an Ingress controller: 1) whose X-Forwarded-For entries are believed.
  TRUSTED_PROXY_COUNT: intFromEnv(0, 10).default(0),
  // Per client and minute; 0 turns the limit off. Sign-ups + logins (each a password hash), and all writes.
  RATE_LIMIT_AUTH_PER_MINUTE: intFromEnv(0, 1_000_000).default(10),
  RATE_LIMIT_WRITES_PER_MINUTE: intFromEnv(0, 1_000_000).default(60),
  // Node's own: libuv's thread pool, which password hashing shares.
  UV_THREADPOOL_SIZE: intFromEnv(1, 1024).default(4),
});

export interface Config {
  readonly env: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly databaseUrl: string;
  readonly dbPoolSize: number;
  readonly dbAcquireTimeoutMs: number;
  readonly dbQueueLimit: number;
  readonly dbStatementTimeoutMs: number;
  /** Empty string disables caching. */
  readonly redisUrl: string;
  readonly jwtSecret: string;
  readonly jwtSecretIsDefault: boolean;
  readonly jwtTtlSeconds: number;
  readonly logLevel: string;
  readonly shutdownGraceMs: number;
  readonly migrateOnStart: boolean;
  readonly bodyLimitBytes: number;
  /** Password hashes at once (libuv's thread pool size). */
  readonly hashConcurrency: number;
  /** Allowed browser origins: exact origins, patterns with `*`, or `*` alone; empty: none. */
  readonly corsOrigins: readonly string[];
  readonly corsMaxAgeSeconds: number;
  readonly trustedProxyCount: number;
  /** Per client per minute; 0 is off. */
  readonly rateLimitAuthPerMinute: number;
  readonly rateLimitWritesPerMinute: number;
}

export class ConfigError extends Error {}

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Treat empty strings as unset, except REDIS_URL where empty means "caching off".
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value === '' && key !== 'REDIS_URL') continue;
    cleaned[key] = value;
  }
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError('invalid configuration: JWT_SECRET is required when NODE_ENV=production');
  }
  if (e.JWT_SECRET !== undefined && e.JWT_SECRET.length < 16) {
    throw new ConfigError('invalid configuration: JWT_SECRET must be at least 16 characters');
  }
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    metricsPort: e.METRICS_PORT,
    databaseUrl: e.DATABASE_URL,
    dbPoolSize: e.DB_POOL_SIZE,
    dbAcquireTimeoutMs: e.DB_ACQUIRE_TIMEOUT_MS,
    dbQueueLimit: e.DB_QUEUE_LIMIT,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    redisUrl: e.REDIS_URL,
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    jwtSecretIsDefault: e.JWT_SECRET === undefined,
    jwtTtlSeconds: e.JWT_TTL_SECONDS,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    migrateOnStart: e.MIGRATE_ON_START,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    // As many hashes at once as libuv has threads: a queue wait counts against the hasher's 2 s
    // deadline, a hash in progress does not, so fewer slots than threads shed bursts of sign-ups
    // sooner without hashing any faster.
    hashConcurrency: e.UV_THREADPOOL_SIZE,
    corsOrigins: Object.freeze([...e.CORS_ORIGINS]),
    corsMaxAgeSeconds: e.CORS_MAX_AGE_SECONDS,
    trustedProxyCount: e.TRUSTED_PROXY_COUNT,
    rateLimitAuthPerMinute: e.RATE_LIMIT_AUTH_PER_MINUTE,
    rateLimitWritesPerMinute: e.RATE_LIMIT_WRITES_PER_MINUTE,
  });
}
