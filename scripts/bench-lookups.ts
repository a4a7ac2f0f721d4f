/**
 * What one page lookup costs Redis and the client, apart from HTTP: the cache's own commands
 * (CacheCommands, the scripts the service ships) against a private redis-server, from many
 * concurrent callers on one ioredis client set up as the service's (auto-pipelining, command
 * timeout). The bench's reads report the same two figures per request, but with wrk, the HTTP
 * server and the ceiling on the same two cores; here a change to a script or to what a page's
 * meta field lists shows without that noise. Rounds alternate between the lookups, so a machine
 * that gets busier moves all of them alike.
 *
 *   npm run --silent bench:lookups [-- --rounds 6 --lookups 48000 --callers 64]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CacheCommands, type CallScope } from '../app/cache/commands.js';
import { INDEX_COMPLETE_MEMBER, keyspaceFor } from '../app/cache/keys.js';
import { createRedisClient } from '../app/cache/redis-link.js';
import { createLogger } from '../app/platform/log.js';
import { readCpuSeconds } from './bench/service.js';
import { startPrivateRedis } from './bench/redis-server.js';

/** The bench's list page: 20 articles by 4 authors, about 6.4 KB (scripts/bench/seed.ts). */
const ARTICLES = Array.from({ length: 20 }, (_, i) => 40 - i);
const AUTHORS = [1, 2, 3, 4];
const PAGE_BYTES = 6400;

const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    lookups: { type: 'string', default: '48000' },
    callers: { type: 'string', default: '64' },
  },
});

async function main(): Promise<void> {
  const rounds = Number(options.rounds);
  const lookups = Number(options.lookups);
  const callers = Number(options.callers);
  const dir = mkdtempSync(join(tmpdir(), 'blog-api-lookups-'));
  const redis = await startPrivateRedis('lookups', dir);
  const client = createRedisClient(redis.url, createLogger('silent'));
  try {
    // No offline queue (the service's setting): nothing may be sent before the connection is up.
    await new Promise((resolve) => client.once('ready', resolve));
    const commands = new CacheCommands(client);
    const keyspace = keyspaceFor('blog_lookups', 'lookups');
    const epoch = 'lookups-epoch';
    const scope: CallScope = {
      epoch,
      fresh: 'unused',
      token: 'lookups',
      epochKey: keyspace.epochKey,
      keys: (logical) => keyspace.entry(epoch, logical),
    };
    await client.set(keyspace.epochKey, epoch);
    // A page as article-pages stores it: a header line with the ids of the viewer's two sets, then the answer.
    const header = JSON.stringify({ ids: [ARTICLES, AUTHORS], at: null });
    const field = JSON.stringify(['lookups', 'list', 20, 0]);
    const stored = await commands.storePage(scope, 'pages', {
      field,
      version: '',
      value: `${header}\n${'x'.repeat(PAGE_BYTES)}`,
      ttlMs: 3_600_000,
      maxPages: 10,
    });
    if (!stored) throw new Error('the page was not stored');
    const sets = ['idx:fav:1', 'following:1'];
    await client.zadd(scope.keys(sets[0] ?? '').data, -1, INDEX_COMPLETE_MEMBER, 39, 39, 36, 36, 33, 33);
    await client.zadd(scope.keys(sets[1] ?? '').data, -1, INDEX_COMPLETE_MEMBER, 2, 2, 3, 3);
    const first = await commands.peekPage(scope, 'pages', field, undefined);
    if (!('digest' in first)) throw new Error('the page was not found');
    const held = first.digest;

    const lookupsByName: Record<string, () => Promise<unknown>> = {
      'anonymous, copy held (GET + HGET meta)': () => commands.peekPage(scope, 'pages', field, held),
      'anonymous, no copy (GET + HMGET meta, page)': () => commands.peekPage(scope, 'pages', field, undefined),
      'signed in, copy held (script, flags only)': () => commands.peekPersonalPage(scope, 'pages', field, sets, held),
      'signed in, no copy (script, page and flags)': () => commands.peekPersonalPage(scope, 'pages', field, sets, undefined),
    };
    const results = new Map<string, string[]>();
    const measure = async (lookup: () => Promise<unknown>) => {
      let left = lookups;
      const redisBefore = readCpuSeconds(redis.pid) ?? 0;
      const clientBefore = process.cpuUsage();
      await Promise.all(
        Array.from({ length: callers }, async () => {
          while (left > 0) {
            left -= 1;
            await lookup();
          }
        }),
      );
      const client = process.cpuUsage(clientBefore);
      const redisMicros = ((readCpuSeconds(redis.pid) ?? 0) - redisBefore) * 1e6;
      return `${(redisMicros / lookups).toFixed(1)} / ${((client.user + client.system) / lookups).toFixed(1)}`;
    };
    // One round unmeasured: scripts loaded, code optimized.
    for (const lookup of Object.values(lookupsByName)) await measure(lookup);
    for (let round = 0; round < rounds; round += 1) {
      for (const [name, lookup] of Object.entries(lookupsByName)) {
        const list = results.get(name) ?? [];
        list.push(await measure(lookup));
        results.set(name, list);
      }
    }
    console.log(
      `Redis CPU / client CPU, µs per lookup (${lookups} lookups from ${callers} callers a round, ${rounds} rounds):\n`,
    );
    console.log('| lookup | rounds |\n| --- | --- |');
    for (const [name, list] of results) console.log(`| ${name} | ${list.join(', ')} |`);
  } finally {
    client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
