/** One timed HTTP call to the service; never throws (a network error or timeout is status 0). */
import { performance } from 'node:perf_hooks';

export interface Timed<T = unknown> {
  status: number;
  body: T | undefined;
  /** performance.now() at send and at the end of the body. */
  start: number;
  end: number;
  ms: number;
}

export async function call<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<Timed<T>> {
  const start = performance.now();
  let status: number;
  let body: T | undefined;
  try {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.token) headers.Authorization = `Token ${options.token}`;
    const res = await fetch(baseUrl + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    status = res.status;
    body = (await res.json().catch(() => undefined)) as T | undefined;
  } catch {
    status = 0;
  }
  const end = performance.now();
  return { status, body, start, end, ms: end - start };
}

/** Registers a user and returns its token; throws when the service refuses. */
export async function register(baseUrl: string, username: string): Promise<string> {
  const res = await call<{ user?: { token?: string } }>(baseUrl, 'POST', '/api/users', {
    body: { user: { username, email: `${username}@bench.test`, password: 'bench-password-1' } },
  });
  const token = res.body?.user?.token;
  if (res.status !== 201 || !token) throw new Error(`register ${username}: status ${res.status}`);
  return token;
}

/** Posts an article; throws when the service refuses. */
export async function postArticle(baseUrl: string, token: string, title: string, tagList: string[] = []): Promise<void> {
  const res = await call(baseUrl, 'POST', '/api/articles', {
    token,
    body: { article: { title, description: 'bench', body: `Body of ${title}.`, tagList } },
  });
  if (res.status !== 201) throw new Error(`post ${title}: status ${res.status}`);
}
