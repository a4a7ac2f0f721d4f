// `npm run migrate -- --wait-seconds=N`, what the chart's init container runs: it waits for a
// database that is not up yet (the in-chart MySQL starts with the release) and gives up after N s.
// Against the local MariaDB, reached through a loopback proxy that starts listening late.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { freePort } from '../helpers/process.js';
import { ROOT } from './repo.js';

interface Run {
  output: () => string;
  done: Promise<{ code: number | null; out: string; ms: number }>;
}
function migrate(databaseUrl: string, waitSeconds: string): Run {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/db/migrate-cli.ts', `--wait-seconds=${waitSeconds}`], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'development', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    output: () => out,
    done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, ms: Date.now() - started }))),
  };
}

/** A TCP proxy on `port` to the local MariaDB. */
function proxy(port: number): Promise<Server> {
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect(3306, '127.0.0.1');
    sockets.push(client, upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('npm run migrate -- --wait-seconds', () => {
  it('waits for a database that comes up late, then migrates', async () => {
    const port = await freePort();
    const name = `blog_migrate_wait_${randomBytes(3).toString('hex')}`;
    const running = migrate(`mysql://root@127.0.0.1:${port}/${name}`, '60');
    // the database "comes up" once the migration has found it missing
    for (let i = 0; i < 200 && !running.output().includes('not reachable yet'); i += 1) await sleep(100);
    const server = await proxy(port);
    try {
      const { code, out } = await running.done;
      assert.equal(code, 0, out);
      assert.match(out, /database not reachable yet; waiting/);
      assert.match(out, /migrations applied/);
    } finally {
      server.close();
      const c = await createConnection({ uri: 'mysql://root@127.0.0.1:3306' });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    }
  });

  it('gives up after the wait, with the reason', async () => {
    const port = await freePort();
    const { code, out, ms } = await migrate(`mysql://root@127.0.0.1:${port}/blog_never`, '2').done;
    assert.equal(code, 1);
    assert.ok(ms >= 2000, `gave up after ${ms} ms`);
    assert.match(out, /ECONNREFUSED/);
    assert.match(out, /migration failed/);
  });

  it('does not wait for what waiting cannot fix', async () => {
    const { code, out } = await migrate('mysql://nobody:wrong@127.0.0.1:3306/blog_denied', '30').done;
    assert.equal(code, 1);
    assert.doesNotMatch(out, /not reachable yet/);
    assert.match(out, /ER_ACCESS_DENIED/);
  });
});
