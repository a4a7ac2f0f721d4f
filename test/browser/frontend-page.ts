import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in RealWorld frontend: one page on its own origin whose script calls the API on another
 * origin with fetch, as real frontends do (every call sends Content-Type: application/json, so
 * even GETs are preflighted). `runScenario(apiRoot)` walks a reader's session and returns what
 * each call got; a call the browser blocked records the TypeError fetch threw.
 */
const SCRIPT = String.raw`
window.runScenario = async (api) => {
  const steps = [];
  const call = async (name, method, path, body, token) => {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = 'Token ' + token;
    try {
      const res = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      const step = { name, status: res.status, body: text ? JSON.parse(text) : null, requestId: res.headers.get('X-Request-Id') };
      steps.push(step);
      return step;
    } catch (err) {
      const step = { name, error: err.name + ': ' + err.message };
      steps.push(step);
      return step;
    }
  };
  const run = Math.random().toString(36).slice(2, 8);
  const password = 'browser-password-1';
  const reader = { username: 'reader_' + run, email: 'reader_' + run + '@example.test', password };
  const writer = { username: 'writer_' + run, email: 'writer_' + run + '@example.test', password };
  const tag = 'browser' + run;

  const registered = await call('register', 'POST', '/users', { user: reader });
  if (registered.error) return steps;
  const writerSignUp = await call('register another user', 'POST', '/users', { user: writer });
  const writerToken = writerSignUp.body.user.token;
  await call('the other user posts', 'POST', '/articles', {
    article: { title: 'Dragons ' + run, description: 'About dragons', body: 'They fly.', tagList: [tag, 'dragons'] },
  }, writerToken);

  const login = await call('log in', 'POST', '/users/login', { user: { email: reader.email, password } });
  const token = login.body.user.token;
  await call('global feed', 'GET', '/articles?limit=10&offset=0', undefined, token);
  await call('tags', 'GET', '/tags');
  const byTag = await call('articles by tag', 'GET', '/articles?tag=' + tag, undefined, token);
  const slug = byTag.body.articles[0].slug;
  await call('post an article with tags', 'POST', '/articles', {
    article: { title: 'My first ' + run, description: 'Hello', body: 'Hello, world.', tagList: ['hello', tag] },
  }, token);
  await call('favorite', 'POST', '/articles/' + slug + '/favorite', undefined, token);
  await call('comment', 'POST', '/articles/' + slug + '/comments', { comment: { body: 'Great read!' } }, token);
  await call('read comments', 'GET', '/articles/' + slug + '/comments', undefined, token);
  await call('follow', 'POST', '/profiles/' + writer.username + '/follow', undefined, token);
  await call('your feed', 'GET', '/articles/feed', undefined, token);
  await call('update user', 'PUT', '/user', { user: { bio: 'I read about dragons', image: 'https://example.test/me.png' } }, token);
  await call('401: no token', 'GET', '/user');
  await call('404: no such article', 'GET', '/articles/no-such-article-' + run);
  await call('422: invalid sign-up', 'POST', '/users', { user: { username: '', email: 'not-an-email', password: 'short' } });
  return steps;
};
`;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>RealWorld stand-in</title><script src="/frontend.js"></script></head>
<body><p>RealWorld stand-in frontend</p></body></html>`;

/** Serves the page on 127.0.0.1 on a free port; its origin is http://127.0.0.1:<port>. */
export async function startFrontend(): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/frontend.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(SCRIPT);
    } else if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
