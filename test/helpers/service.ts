import { randomBytes } from 'node:crypto';
import { createPool } from 'mysql2/promise';
import { loadConfig } from '../../app/config.js';
import { createLogger } from '../../app/platform/log.js';
import { startService, type RunningService } from '../../app/service.js';
import { sumMetric } from '../../scripts/load.js';

export const MYSQL_SERVER_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestService {
  readonly service: RunningService;
  readonly baseUrl: string;
  readonly metricsUrl: string;
  readonly databaseUrl: string;
  readonly databaseName: string;
  api<T = any>(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string },
  ): Promise<ApiResponse<T>>;
  /** Sum of a metric's samples whose labels include `labels`, read from the live /metrics. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
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
    async api(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.Authorization = `Token ${options.token}`;
      let body: string | undefined = options.raw;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
      }
      if (body !== undefined) headers['Content-Type'] ??= 'application/json';
      const res = await fetch(baseUrl + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed as any, text };
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

/** Registers a user and returns its token and username. */
export async function registerUser(t: TestService, name?: string): Promise<{ token: string; username: string; email: string }> {
  const username = name ?? `u${randomBytes(4).toString('hex')}`;
  const email = `${username}@example.test`;
  const res = await t.api('POST', '/api/users', { body: { user: { username, email, password: 'password123' } } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return { token: res.body.user.token, username, email };
}

export async function createArticle(
  t: TestService,
  token: string,
  article: { title?: string; description?: string; body?: string; tagList?: string[] } = {},
): Promise<any> {
  const res = await t.api('POST', '/api/articles', {
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
