import { randomBytes } from 'node:crypto';
import { createPool } from 'mysql2/promise';
import { loadConfig } from '../../app/config.js';
import { createLogger } from '../../app/platform/log.js';
import { startService, type RunningService } from '../../app/service.js';
import { sumMetric } from '../../scripts/load.js';
import type { Article, ArticleBody, UserBody } from './realworld.js';

export const MYSQL_SERVER_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * One answer of the API. `body` is the parsed JSON, typed as what the test says it expects (the
 * type parameter of `api`); nothing checks it at run time, the test's assertions do. Without a type
 * parameter it is `unknown`: a test that reads the body must name its shape (test/helpers/realworld.ts).
 */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  /** The raw body, for messages and for answers that are not JSON. */
  text: string;
}

export interface ApiOptions {
  /** Sent as JSON. */
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  /** Sent as is, instead of `body` (malformed JSON and the like). */
  raw?: string;
}

export interface TestService {
  readonly service: RunningService;
  readonly baseUrl: string;
  readonly metricsUrl: string;
  readonly databaseUrl: string;
  readonly databaseName: string;
  api<T = unknown>(method: string, path: string, options?: ApiOptions): Promise<ApiResponse<T>>;
  /** Sum of a metric's samples whose labels include `labels`, read from the live /metrics. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A fresh database per service: tests never see each other's rows. */
export function uniqueDatabaseName(prefix = 'blog_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
}

export async function dropDatabase(name: string): Promise<void> {
  const pool = createPool({ uri: MYSQL_SERVER_URL, connectionLimit: 1 });
  try {
    await pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await pool.end();
  }
}

/** Starts the real service in-process on free ports against real MariaDB (and Redis unless disabled). */
export async function startTestService(env: Record<string, string> = {}): Promise<TestService> {
  const databaseName = uniqueDatabaseName();
  const databaseUrl = `${MYSQL_SERVER_URL}/${databaseName}`;
  const config = loadConfig({
    PORT: '0',
    METRICS_PORT: '0',
    DATABASE_URL: databaseUrl,
    REDIS_URL: REDIS_URL,
    JWT_SECRET: 'test-secret-with-enough-length',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_GRACE_MS: '3000',
    // Suites register many users from 127.0.0.1 within a minute; rate-limit.test.ts sets its own.
    RATE_LIMIT_AUTH_PER_MINUTE: '0',
    RATE_LIMIT_WRITES_PER_MINUTE: '0',
    ...env,
  });
  const service = await startService(config, createLogger(config.logLevel));
  const baseUrl = `http://127.0.0.1:${service.port}`;
  const metricsUrl = `http://127.0.0.1:${service.metricsPort}/metrics`;
  return {
    service,
    baseUrl,
    metricsUrl,
    databaseUrl,
    databaseName,
    async api<T>(method: string, path: string, options: ApiOptions = {}): Promise<ApiResponse<T>> {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.Authorization = `Token ${options.token}`;
      const body = options.body === undefined ? options.raw : JSON.stringify(options.body);
      if (body !== undefined) headers['Content-Type'] ??= 'application/json';
      const res = await fetch(baseUrl + path, { method, headers, body });
      const text = await res.text();
      // The test's claim about the body (see ApiResponse); undefined when it is empty or not JSON.
      return { status: res.status, headers: res.headers, body: parseJson(text) as T, text };
    },
    async metric(name, labels = {}) {
      const text = await (await fetch(metricsUrl)).text();
      return sumMetric(text, name, labels);
    },
    async stop() {
      await service.stop();
      await dropDatabase(databaseName);
    },
  };
}

/** A user the helpers registered: its credentials (the password is always `password123`). */
export interface RegisteredUser {
  token: string;
  username: string;
  email: string;
}

/** Registers a user and returns its token, username and email. */
export async function registerUser(t: TestService, name?: string): Promise<RegisteredUser> {
  const username = name ?? `u${randomBytes(4).toString('hex')}`;
  const email = `${username}@example.test`;
  const res = await t.api<UserBody>('POST', '/api/users', { body: { user: { username, email, password: 'password123' } } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return { token: res.body.user.token, username, email };
}

/** Creates an article (defaults for every field not given) and returns it as the API answered. */
export async function createArticle(
  t: TestService,
  token: string,
  article: { title?: string; description?: string; body?: string; tagList?: string[] } = {},
): Promise<Article> {
  const res = await t.api<ArticleBody>('POST', '/api/articles', {
    token,
    body: {
      article: {
        title: article.title ?? `Title ${randomBytes(3).toString('hex')}`,
        description: article.description ?? 'desc',
        body: article.body ?? 'body text',
        tagList: article.tagList ?? [],
      },
    },
  });
  if (res.status !== 201) throw new Error(`create article failed: ${res.status} ${res.text}`);
  return res.body.article;
}
