import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { INDEX_COMPLETE_MEMBER, pageMetaField, type EntryKeys } from './keys.js';

/**
 * The Lua scripts the cache runs, each defined once with ioredis defineCommand (EVALSHA, falling
 * back to EVAL after a Redis restart), and a typed method per script. Every script gets the keys
 * it touches in KEYS (built by keys.ts) and one JSON payload in ARGV[1], decoded with cjson: no
 * positional argument lists that the caller and the script must count alike.
 *
 * Every script checks the epoch first (KEYS[1]): a caller that names keys of an epoch that is no
 * longer current is told the current one ('moved') and touches nothing.
 */

/** Decodes the payload and checks the epoch; a missing epoch is started (read scripts only). */
const PRELUDE = `
local p = cjson.decode(ARGV[1])
local function current_epoch(start_if_missing)
  local e = redis.call('GET', KEYS[1])
  if not e and start_if_missing then
    redis.call('SET', KEYS[1], p.fresh)
    e = p.fresh
  end
  return e or ''
end
`;

/**
 * KEYS: epoch, then (data, version, lease) per entry. Reply: {'moved', epoch} or {'ok', status,
 * payload, ...} per entry: 'h' (payload = value), 'l' (miss, lease taken by us; payload = version)
 * or 'w' (miss, another filler holds the lease; payload = version).
 */
const READ_VALUES = `${PRELUDE}
local e = current_epoch(true)
if e ~= p.epoch then return {'moved', e} end
local out = {'ok'}
for i = 2, #KEYS, 3 do
  local value = redis.call('GET', KEYS[i])
  if value then
    out[#out + 1] = 'h'
    out[#out + 1] = value
  else
    local version = redis.call('GET', KEYS[i + 1]) or ''
    local leased = redis.call('SET', KEYS[i + 2], p.token, 'NX', 'PX', p.leaseMs)
    out[#out + 1] = leased and 'l' or 'w'
    out[#out + 1] = version
  end
end
return out
`;

/**
 * KEYS: epoch, then (data, version, lease) per entry; payload entries in the same order. Stores a
 * value only if its version has not moved since the fill read it (no write committed in between);
 * an empty value stores nothing. Either way our lease is released. Reply: {'moved', epoch} or
 * {'ok', 1|0 per entry}.
 */
const STORE_VALUES = `${PRELUDE}
local e = current_epoch(false)
if e ~= p.epoch then return {'moved', e} end
local out = {'ok'}
for n, entry in ipairs(p.entries) do
  local data, version, lease = KEYS[3 * n - 1], KEYS[3 * n], KEYS[3 * n + 1]
  local stored = 0
  if entry.value ~= '' and (redis.call('GET', version) or '') == entry.version then
    redis.call('SET', data, entry.value, 'PX', entry.ttlMs)
    stored = 1
  end
  if redis.call('GET', lease) == p.token then redis.call('DEL', lease) end
  out[#out + 1] = stored
end
return out
`;

/**
 * KEYS: epoch, data, version, lease. An index counts only when it exists, and it exists only
 * complete (installed whole, with its completion member). Reply: {'moved', epoch}, {'hit', size,
 * members (page) or '1'/'0' flags (members)}, or {'miss', 'l'|'w', version}.
 */
const READ_INDEX = `${PRELUDE}
local e = current_epoch(true)
if e ~= p.epoch then return {'moved', e} end
if redis.call('EXISTS', KEYS[2]) == 1 then
  local size = redis.call('ZCARD', KEYS[2]) - 1
  if p.mode == 'page' then
    return {'hit', size, redis.call('ZREVRANGE', KEYS[2], p.start, p.stop)}
  end
  local flags = {}
  local scores = redis.call('ZMSCORE', KEYS[2], unpack(p.ids))
  for i = 1, #p.ids do
    flags[i] = scores[i] and '1' or '0'
  end
  return {'hit', size, flags}
end
local version = redis.call('GET', KEYS[3]) or ''
local leased = redis.call('SET', KEYS[4], p.token, 'NX', 'PX', p.leaseMs)
return {'miss', leased and 'l' or 'w', version}
`;

/** Lua lines that replace the sorted set \`key\` with a complete index of \`ids\`. */
const INSTALL_INDEX_FN = `
local function install_index(key, ids, ttl_ms)
  redis.call('DEL', key)
  redis.call('ZADD', key, -1, '${INDEX_COMPLETE_MEMBER}')
  local batch = {}
  for _, id in ipairs(ids) do
    batch[#batch + 1] = id
    batch[#batch + 1] = id
    if #batch >= 1000 then
      redis.call('ZADD', key, unpack(batch))
      batch = {}
    end
  end
  if #batch > 0 then redis.call('ZADD', key, unpack(batch)) end
  redis.call('PEXPIRE', key, ttl_ms)
end
`;

/**
 * KEYS: epoch, data, version, lease. Gives back our lease, then installs a rebuilt index whole
 * unless a write touched it since the rebuild read its version: that write's id might be missing
 * from the rebuild's MySQL snapshot. releaseOnly (a rebuild that failed or is not kept) only gives
 * back the lease. Reply: 1 installed, 0 not.
 */
const INSTALL_INDEX = `${PRELUDE}${INSTALL_INDEX_FN}
if current_epoch(false) ~= p.epoch then return 0 end
if redis.call('GET', KEYS[4]) == p.token then redis.call('DEL', KEYS[4]) end
if p.releaseOnly or (redis.call('GET', KEYS[3]) or '') ~= p.version then return 0 end
install_index(KEYS[2], p.ids, p.ttlMs)
return 1
`;

/**
 * KEYS: epoch, then (data, version) per touched logical key; each op names its pair by the index
 * of its data key in KEYS. Every touched key's version is bumped. Index edits apply only to indexes
 * that exist (complete); an absent index is rebuilt from MySQL when next read. No epoch at all
 * means Redis lost everything: nothing cached can be stale. Reply: {'moved', epoch} or {'ok'}.
 */
const APPLY_WRITE = `${PRELUDE}${INSTALL_INDEX_FN}
local e = current_epoch(false)
if e == '' then return {'ok'} end
if e ~= p.epoch then return {'moved', e} end
for _, op in ipairs(p.ops) do
  local data, version = KEYS[op.k], KEYS[op.k + 1]
  if op.op == 'drop' then
    redis.call('DEL', data)
  elseif op.op == 'add' then
    if redis.call('EXISTS', data) == 1 then redis.call('ZADD', data, op.id, op.id) end
  elseif op.op == 'remove' then
    if redis.call('EXISTS', data) == 1 then redis.call('ZREM', data, op.id) end
  elseif op.op == 'seed' then
    redis.call('SET', data, op.value, 'PX', op.ttlMs)
  elseif op.op == 'seed_index' then
    install_index(data, op.ids, op.ttlMs)
  end
  redis.call('INCR', version)
  redis.call('PEXPIRE', version, p.versionTtlMs)
end
return {'ok'}
`;

/**
 * KEYS: epoch, pages (a hash: one field per page), version. Reply: {'moved', epoch},
 * {'hit', page} or {'miss', version}. No lease: a page is assembled from cached entries, not MySQL,
 * so one fill per process (single-flight) is enough.
 */
const READ_PAGE = `${PRELUDE}
local e = current_epoch(true)
if e ~= p.epoch then return {'moved', e} end
local page = redis.call('HGET', KEYS[2], p.field)
if page then return {'hit', page} end
return {'miss', redis.call('GET', KEYS[3]) or ''}
`;

/**
 * KEYS: epoch, pages, version; ARGV[2]: the page itself (kilobytes of text: passed as it is rather
 * than escaped into the payload and decoded by cjson). Stores a page, and beside it its meta field
 * (its digest and the ids its header lists, see PageStore), only if no write dropped the pages
 * since its miss read the version, and only while the hash holds fewer than maxPages pages (made-up
 * filters must not grow it without bound; two fields per page). The hash expires ttlMs after its
 * first page. Reply: 1 or 0.
 */
const STORE_PAGE = `${PRELUDE}
if current_epoch(false) ~= p.epoch then return 0 end
if (redis.call('GET', KEYS[3]) or '') ~= p.version then return 0 end
if redis.call('HLEN', KEYS[2]) >= 2 * p.maxPages then return 0 end
local created = redis.call('EXISTS', KEYS[2]) == 0
redis.call('HSET', KEYS[2], p.field, ARGV[2], p.metaField, p.meta)
if created then redis.call('PEXPIRE', KEYS[2], p.ttlMs) end
return 1
`;

/**
 * KEYS: epoch, pages, then complete indexes (a viewer's sets). A stored page's digest and, for each
 * index, which of the ids its meta field lists for it are members; the page itself only when its
 * digest is not the one the caller holds (p.held): the page's kilobytes pass through Lua only then.
 * Nothing is filled or leased (the caller takes the path that can). Reply: {'moved', epoch},
 * {'absent'} (no epoch, no page, or an index not complete) or {'hit', digest, page or '', flags...}:
 * per index a string with '1' or '0' per listed id.
 */
const PEEK_PERSONAL_PAGE = `${PRELUDE}
local e = current_epoch(false)
if e == '' then return {'absent'} end
if e ~= p.epoch then return {'moved', e} end
local meta = redis.call('HGET', KEYS[2], p.metaField)
if not meta then return {'absent'} end
local newline = string.find(meta, '\\n', 1, true)
if not newline then return {'absent'} end
local digest = string.sub(meta, 1, newline - 1)
local ids = cjson.decode(string.sub(meta, newline + 1))
local page = ''
if digest ~= p.held then
  page = redis.call('HGET', KEYS[2], p.field)
  if not page then return {'absent'} end
end
local reply = {'hit', digest, page}
for i = 3, #KEYS do
  local listed = ids[i - 2]
  if type(listed) ~= 'table' then return {'absent'} end
  local scores = redis.call('ZMSCORE', KEYS[i], '${INDEX_COMPLETE_MEMBER}', unpack(listed))
  if not scores[1] then return {'absent'} end
  local flags = {}
  for j = 2, #scores do flags[j - 1] = scores[j] and '1' or '0' end
  reply[i + 1] = table.concat(flags)
end
return reply
`;

const SCRIPTS = {
  blogCacheReadValues: READ_VALUES,
  blogCacheStoreValues: STORE_VALUES,
  blogCacheReadIndex: READ_INDEX,
  blogCacheInstallIndex: INSTALL_INDEX,
  blogCacheApplyWrite: APPLY_WRITE,
  blogCacheReadPage: READ_PAGE,
  blogCacheStorePage: STORE_PAGE,
  blogCachePeekPersonalPage: PEEK_PERSONAL_PAGE,
} as const;
type ScriptName = keyof typeof SCRIPTS;

/** The epoch a caller named is not current: nothing was touched; `epoch` is the current one. */
export interface EpochMoved {
  moved: true;
  epoch: string;
}

export type ValueSlot = { status: 'hit'; value: string } | { status: 'miss'; version: string; leased: boolean };

export type IndexRead = { status: 'hit'; size: number; items: string[] } | { status: 'miss'; version: string; leased: boolean };

/** A hit's page stays in the bytes Redis sent: it is written to the client as it is. */
export type PageRead = { status: 'hit'; page: Buffer } | { status: 'miss'; version: string };

/**
 * A stored page found by a lookup that only looks: the digest its meta field holds, and its bytes,
 * or undefined when they are the bytes of the digest the caller said it holds (Redis holds the same).
 */
export interface PageFound {
  status: 'hit';
  digest: string;
  page: Buffer | undefined;
}

/**
 * A page's meta field: the digest of its bytes, a newline, then the id lists of its header line
 * (JSON up to the page's first newline, `ids`: one list per viewer set), so that a lookup can
 * learn whether the bytes it holds are current, and a signed-in lookup which ids to check,
 * without the page's kilobytes.
 */
function pageMeta(page: string): string {
  const digest = createHash('sha1').update(page).digest('base64url');
  return `${digest}\n${listedIds(page)}`;
}

function listedIds(page: string): string {
  const newline = page.indexOf('\n');
  try {
    const header = newline < 0 ? {} : (JSON.parse(page.slice(0, newline)) as { ids?: unknown });
    return JSON.stringify(header.ids ?? []);
  } catch {
    // No header: no ids to check, so signed-in lookups of this page take the path that builds.
    return '[]';
  }
}

/**
 * The epoch check of a native pair (the GET of the epoch sent with the read it guards): 'absent'
 * when Redis holds no epoch (the script path starts one), moved when another epoch is current,
 * undefined when the read belongs to the caller's epoch.
 */
function otherEpoch(epoch: string | null, scope: CallScope): { status: 'absent' } | EpochMoved | undefined {
  if (epoch === null) return { status: 'absent' };
  return epoch === scope.epoch ? undefined : { moved: true, epoch };
}

function digestOf(meta: string): string {
  return meta.slice(0, meta.indexOf('\n'));
}

export type WriteOp =
  | { op: 'drop'; logical: string }
  | { op: 'add' | 'remove'; logical: string; id: number }
  | { op: 'seed'; logical: string; value: string; ttlMs: number }
  | { op: 'seed_index'; logical: string; ids: readonly number[]; ttlMs: number };

/** What every call needs to name keys and leases: the epoch it believes current, and our lease token. */
export interface CallScope {
  epoch: string;
  /** A new epoch to start if Redis has none (read scripts). */
  fresh: string;
  token: string;
  keys: (logical: string) => EntryKeys;
  epochKey: string;
}

class UnexpectedReply extends Error {
  constructor(script: ScriptName, reply: unknown) {
    super(`unexpected reply from ${script}: ${(JSON.stringify(reply) as string | undefined)?.slice(0, 200) ?? 'undefined'}`);
    this.name = 'UnexpectedReply';
  }
}

function movedOrUndefined(reply: unknown): EpochMoved | undefined {
  if (Array.isArray(reply) && reply[0] === 'moved' && typeof reply[1] === 'string') return { moved: true, epoch: reply[1] };
  return undefined;
}

/** The cache's scripts on one ioredis client, as typed methods. */
export class CacheCommands {
  constructor(private readonly client: Redis) {
    for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { lua });
  }

  async readValues(scope: CallScope, logical: readonly string[], leaseMs: number): Promise<ValueSlot[] | EpochMoved> {
    const keys = logical.flatMap((l) => entryTriple(scope.keys(l)));
    const reply = await this.call('blogCacheReadValues', [scope.epochKey, ...keys], {
      epoch: scope.epoch,
      fresh: scope.fresh,
      token: scope.token,
      leaseMs,
    });
    const moved = movedOrUndefined(reply);
    if (moved) return moved;
    if (!Array.isArray(reply) || reply[0] !== 'ok' || reply.length !== 1 + 2 * logical.length) {
      throw new UnexpectedReply('blogCacheReadValues', reply);
    }
    return logical.map((_, i): ValueSlot => {
      const status: unknown = reply[1 + 2 * i];
      const payload: unknown = reply[2 + 2 * i];
      if (typeof payload !== 'string') throw new UnexpectedReply('blogCacheReadValues', reply);
      return status === 'h' ? { status: 'hit', value: payload } : { status: 'miss', version: payload, leased: status === 'l' };
    });
  }

  /** Per entry: whether it was stored. `value: ''` stores nothing (only the lease is released). */
  async storeValues(
    scope: CallScope,
    entries: readonly { logical: string; version: string; value: string; ttlMs: number }[],
  ): Promise<boolean[] | EpochMoved> {
    const keys = entries.flatMap((e) => entryTriple(scope.keys(e.logical)));
    const reply = await this.call('blogCacheStoreValues', [scope.epochKey, ...keys], {
      epoch: scope.epoch,
      token: scope.token,
      entries: entries.map((e) => ({ version: e.version, value: e.value, ttlMs: e.ttlMs })),
    });
    const moved = movedOrUndefined(reply);
    if (moved) return moved;
    if (!Array.isArray(reply) || reply[0] !== 'ok' || reply.length !== 1 + entries.length) {
      throw new UnexpectedReply('blogCacheStoreValues', reply);
    }
    return entries.map((_, i) => reply[1 + i] === 1);
  }

  async readIndex(
    scope: CallScope,
    logical: string,
    query: { mode: 'page'; start: number; stop: number } | { mode: 'members'; ids: readonly number[] },
    leaseMs: number,
  ): Promise<IndexRead | EpochMoved> {
    const reply = await this.call('blogCacheReadIndex', [scope.epochKey, ...entryTriple(scope.keys(logical))], {
      epoch: scope.epoch,
      fresh: scope.fresh,
      token: scope.token,
      leaseMs,
      ...query,
    });
    const moved = movedOrUndefined(reply);
    if (moved) return moved;
    if (Array.isArray(reply) && reply[0] === 'hit' && typeof reply[1] === 'number' && Array.isArray(reply[2])) {
      return { status: 'hit', size: reply[1], items: reply[2].map(String) };
    }
    if (Array.isArray(reply) && reply[0] === 'miss' && typeof reply[2] === 'string') {
      return { status: 'miss', leased: reply[1] === 'l', version: reply[2] };
    }
    throw new UnexpectedReply('blogCacheReadIndex', reply);
  }

  /** Whether the rebuilt index was installed (no write touched it since `version` was read). */
  async installIndex(
    scope: CallScope,
    logical: string,
    rebuild: { version: string; ids: readonly number[]; ttlMs: number } | { releaseOnly: true },
  ): Promise<boolean> {
    const reply = await this.call('blogCacheInstallIndex', [scope.epochKey, ...entryTriple(scope.keys(logical))], {
      epoch: scope.epoch,
      token: scope.token,
      ...rebuild,
    });
    if (reply !== 0 && reply !== 1) throw new UnexpectedReply('blogCacheInstallIndex', reply);
    return reply === 1;
  }

  async applyWrite(scope: CallScope, ops: readonly WriteOp[], versionTtlMs: number): Promise<EpochMoved | undefined> {
    // One (data, version) pair per logical key, however many ops touch it.
    const keys = [scope.epochKey];
    const position = new Map<string, number>();
    const payloadOps = ops.map((op) => {
      let k = position.get(op.logical);
      if (k === undefined) {
        const entry = scope.keys(op.logical);
        k = keys.length + 1; // Lua's KEYS is 1-based
        keys.push(entry.data, entry.version);
        position.set(op.logical, k);
      }
      const { logical: _logical, ...rest } = op;
      return { ...rest, k };
    });
    const reply = await this.call('blogCacheApplyWrite', keys, { epoch: scope.epoch, versionTtlMs, ops: payloadOps });
    const moved = movedOrUndefined(reply);
    if (moved) return moved;
    if (!Array.isArray(reply) || reply[0] !== 'ok') throw new UnexpectedReply('blogCacheApplyWrite', reply);
    return undefined;
  }

  /**
   * A page hit without a script: GET of the epoch and, of the page, either HGET of its meta field
   * (the caller holds bytes of a digest: are they still the page's?) or HMGET of meta and page,
   * each pair sent in one write (auto-pipelining) and answered by two native commands. When the
   * digest differs, the HMGET pair follows. Not atomic, and it need not be: what the second
   * command reads belongs to the epoch the GET saw, and once that epoch is no longer current
   * nothing is stored or dropped under it any more, so it sees that epoch's page as it was at the
   * GET (or finds it gone, and the caller takes the script path). 'absent' also covers Redis
   * holding no epoch at all (the script path starts one).
   */
  async peekPage(
    scope: CallScope,
    logical: string,
    field: string,
    held: string | undefined,
  ): Promise<PageFound | { status: 'absent' } | EpochMoved> {
    const data = scope.keys(logical).data;
    const metaField = pageMetaField(field);
    if (held !== undefined) {
      const [epoch, meta] = await Promise.all([this.client.get(scope.epochKey), this.client.hget(data, metaField)]);
      const other = otherEpoch(epoch, scope);
      if (other) return other;
      if (meta === null) return { status: 'absent' };
      const digest = digestOf(meta);
      if (digest === held) return { status: 'hit', digest, page: undefined };
    }
    const [epoch, [meta, page]] = await Promise.all([
      this.client.get(scope.epochKey),
      this.client.hmgetBuffer(data, metaField, field),
    ]);
    const other = otherEpoch(epoch, scope);
    if (other) return other;
    if (!meta || !page) return { status: 'absent' };
    return { status: 'hit', digest: digestOf(meta.toString()), page };
  }

  /**
   * Which of ids are in a complete index, without a script: GET of the epoch and ZMSCORE of the
   * completion member and the ids, in one write. Safe without MULTI for the reason peekPage is
   * (an index is edited only in the current epoch); 'absent' when the index is not complete in
   * Redis (no completion member) or Redis holds no epoch: the caller takes the script path.
   */
  async peekMembers(
    scope: CallScope,
    logical: string,
    ids: readonly number[],
  ): Promise<{ status: 'hit'; flags: boolean[] } | { status: 'absent' } | EpochMoved> {
    const [epoch, scores] = await Promise.all([
      this.client.get(scope.epochKey),
      this.client.zmscore(scope.keys(logical).data, INDEX_COMPLETE_MEMBER, ...ids),
    ]);
    const other = otherEpoch(epoch, scope);
    if (other) return other;
    const [complete, ...flags] = scores;
    return complete === null || complete === undefined
      ? { status: 'absent' }
      : { status: 'hit', flags: flags.map((s) => s !== null) };
  }

  /** A page's digest, its bytes unless held (see PageFound), and a viewer's flags for the ids it lists (PEEK_PERSONAL_PAGE). */
  async peekPersonalPage(
    scope: CallScope,
    logical: string,
    field: string,
    sets: readonly string[],
    held: string | undefined,
  ): Promise<(PageFound & { flags: boolean[][] }) | { status: 'absent' } | EpochMoved> {
    const keys = [scope.epochKey, scope.keys(logical).data, ...sets.map((set) => scope.keys(set).data)];
    const payload = { epoch: scope.epoch, field, metaField: pageMetaField(field), held };
    const reply = await this.call('blogCachePeekPersonalPage', keys, payload, 'buffers');
    if (!Array.isArray(reply) || !reply.every((part) => Buffer.isBuffer(part))) {
      throw new UnexpectedReply('blogCachePeekPersonalPage', reply);
    }
    const [status, first, page, ...flags] = reply;
    const kind = status?.toString();
    if (kind === 'absent' && reply.length === 1) return { status: 'absent' };
    if (kind === 'moved' && first !== undefined) return { moved: true, epoch: first.toString() };
    if (kind !== 'hit' || first === undefined || page === undefined || flags.length !== sets.length) {
      throw new UnexpectedReply('blogCachePeekPersonalPage', reply);
    }
    return {
      status: 'hit',
      digest: first.toString(),
      page: page.length === 0 ? undefined : page,
      flags: flags.map((set) => Array.from(set, (byte) => byte === 0x31)),
    };
  }

  async readPage(scope: CallScope, logical: string, field: string): Promise<PageRead | EpochMoved> {
    const entry = scope.keys(logical);
    const reply = await this.call(
      'blogCacheReadPage',
      [scope.epochKey, entry.data, entry.version],
      { epoch: scope.epoch, fresh: scope.fresh, field },
      'buffers',
    );
    if (!Array.isArray(reply) || !Buffer.isBuffer(reply[0]) || !Buffer.isBuffer(reply[1])) {
      throw new UnexpectedReply('blogCacheReadPage', reply);
    }
    const [status, payload] = [reply[0].toString(), reply[1]];
    if (status === 'hit') return { status: 'hit', page: payload };
    if (status === 'miss') return { status: 'miss', version: payload.toString() };
    if (status === 'moved') return { moved: true, epoch: payload.toString() };
    throw new UnexpectedReply('blogCacheReadPage', reply);
  }

  /** Whether the page was stored (no write dropped the pages since `version` was read, and there was room). */
  async storePage(
    scope: CallScope,
    logical: string,
    page: { field: string; version: string; value: string; ttlMs: number; maxPages: number },
  ): Promise<boolean> {
    const entry = scope.keys(logical);
    const { value, ...rest } = page;
    const keys = [scope.epochKey, entry.data, entry.version];
    const payload = { epoch: scope.epoch, ...rest, metaField: pageMetaField(page.field), meta: pageMeta(value) };
    const reply = await this.call('blogCacheStorePage', keys, payload, 'strings', value);
    if (reply !== 0 && reply !== 1) throw new UnexpectedReply('blogCacheStorePage', reply);
    return reply === 1;
  }

  /**
   * Runs a script: keys, the JSON payload as ARGV[1], and a bulk value as ARGV[2] where a script
   * takes one. `buffers` asks for bulk replies as Buffers (ioredis's <name>Buffer variant).
   */
  private call(
    name: ScriptName,
    keys: readonly string[],
    payload: object,
    reply: 'strings' | 'buffers' = 'strings',
    bulk?: string,
  ): Promise<unknown> {
    // defineCommand adds the methods at run time; this is the one place that reaches for them.
    const commands = this.client as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>;
    const command = commands[reply === 'buffers' ? `${name}Buffer` : name];
    if (!command) throw new Error(`script ${name} is not defined`);
    const args = [keys.length, ...keys, JSON.stringify(payload)];
    return command.call(this.client, ...(bulk === undefined ? args : [...args, bulk]));
  }
}

function entryTriple(entry: EntryKeys): string[] {
  return [entry.data, entry.version, entry.lease];
}
