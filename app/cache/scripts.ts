import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { INDEX_COMPLETE_MEMBER, LUA_KEY_NAMES } from './keys.js';

/**
 * The Lua scripts RedisCache runs. Each one reads the epoch itself, so a read, a store or a write
 * always sees one consistent epoch, and never needs a second round trip. KEYS[1] is the epoch key,
 * ARGV[1] the namespace.
 */

/** Returns the current epoch, starting a fresh one (ARGV[2]) if Redis lost it. */
const EPOCH_OR_START = `
local function epoch_or_start(fresh)
  local e = redis.call('GET', KEYS[1])
  if not e then redis.call('SET', KEYS[1], fresh); e = fresh end
  return e
end
`;

export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** EVALSHA, falling back to EVAL when Redis does not know the script (e.g. after a restart). */
  async run(client: Redis, epochKey: string, args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, 1, epochKey, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(this.source, 1, epochKey, ...args);
    }
  }
}

/**
 * ARGV: ns, freshEpoch, leaseToken, leaseMs, logical keys...
 * Returns {epoch, status1, payload1, status2, payload2, ...}: status 'h' (payload = value),
 * 'l' (miss, lease taken by us; payload = version) or 'w' (miss, another filler holds the lease).
 */
export const readValuesScript = new LuaScript(`${LUA_KEY_NAMES}${EPOCH_OR_START}
local ns, token, lease_ms = ARGV[1], ARGV[3], tonumber(ARGV[4])
local e = epoch_or_start(ARGV[2])
local out = {e}
for i = 5, #ARGV do
  local logical = ARGV[i]
  local value = redis.call('GET', data_key(ns, e, logical))
  if value then
    out[#out + 1] = 'h'
    out[#out + 1] = value
  else
    local version = redis.call('GET', version_key(ns, e, logical)) or ''
    local leased = redis.call('SET', lease_key(ns, e, logical), token, 'NX', 'PX', lease_ms)
    out[#out + 1] = leased and 'l' or 'w'
    out[#out + 1] = version
  end
end
return out
`);

/**
 * ARGV: ns, expectedEpoch, leaseToken, then (logical, expectedVersion, value, ttlMs) per key.
 * Stores a value only if neither the epoch nor its version moved since the fill read them, i.e. no
 * write committed in between. An empty value stores nothing (the fill found nothing, or failed).
 * Either way our lease on the key is released, so the next lookup does not wait it out.
 * Returns 1/0 per key.
 */
export const storeValuesScript = new LuaScript(`${LUA_KEY_NAMES}
local ns, expected, token = ARGV[1], ARGV[2], ARGV[3]
local e = redis.call('GET', KEYS[1])
local stored = {}
for i = 4, #ARGV, 4 do
  local logical = ARGV[i]
  local ok = 0
  if e == expected then
    if ARGV[i + 2] ~= '' and (redis.call('GET', version_key(ns, e, logical)) or '') == ARGV[i + 1] then
      redis.call('SET', data_key(ns, e, logical), ARGV[i + 2], 'PX', tonumber(ARGV[i + 3]))
      ok = 1
    end
    local lk = lease_key(ns, e, logical)
    if redis.call('GET', lk) == token then redis.call('DEL', lk) end
  end
  stored[#stored + 1] = ok
end
return stored
`);

/**
 * ARGV: ns, freshEpoch, leaseToken, leaseMs, logical, mode, then start, stop (mode 'page') or ids
 * (mode 'has'). An index counts only when it exists, and it exists only complete (it is installed
 * whole, with its completion member). Hit: {epoch, 'h', size, members-or-flags}; miss:
 * {epoch, 'l'|'w', version}.
 */
export const readIndexScript = new LuaScript(`${LUA_KEY_NAMES}${EPOCH_OR_START}
local ns, token, lease_ms, logical, mode = ARGV[1], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local e = epoch_or_start(ARGV[2])
local key = data_key(ns, e, logical)
if redis.call('EXISTS', key) == 1 then
  local size = redis.call('ZCARD', key) - 1
  if mode == 'page' then
    return {e, 'h', size, redis.call('ZREVRANGE', key, ARGV[7], ARGV[8])}
  end
  local flags = {}
  for i = 7, #ARGV do
    flags[#flags + 1] = redis.call('ZSCORE', key, ARGV[i]) and '1' or '0'
  end
  return {e, 'h', size, flags}
end
local version = redis.call('GET', version_key(ns, e, logical)) or ''
local leased = redis.call('SET', lease_key(ns, e, logical), token, 'NX', 'PX', lease_ms)
return {e, leased and 'l' or 'w', version}
`);

/**
 * ARGV: ns, expectedEpoch, leaseToken, logical, expectedVersion, ttlMs, ids...
 * Installs a rebuilt index whole (ids + completion member) unless a write touched it since the
 * rebuild read its version: that write's id might be missing from the rebuild's MySQL snapshot.
 */
export const installIndexScript = new LuaScript(`${LUA_KEY_NAMES}
local ns, expected, token, logical = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local e = redis.call('GET', KEYS[1])
if e ~= expected then return 0 end
local lk = lease_key(ns, e, logical)
if redis.call('GET', lk) == token then redis.call('DEL', lk) end
if (redis.call('GET', version_key(ns, e, logical)) or '') ~= ARGV[5] then return 0 end
local key = data_key(ns, e, logical)
redis.call('DEL', key)
redis.call('ZADD', key, -1, '${INDEX_COMPLETE_MEMBER}')
local batch = {}
for i = 7, #ARGV do
  batch[#batch + 1] = ARGV[i]
  batch[#batch + 1] = ARGV[i]
  if #batch >= 1000 then
    redis.call('ZADD', key, unpack(batch))
    batch = {}
  end
end
if #batch > 0 then redis.call('ZADD', key, unpack(batch)) end
redis.call('PEXPIRE', key, tonumber(ARGV[6]))
return 1
`);

/**
 * ARGV: ns, versionTtlMs, n, invalidated logical keys (n), m, (index, id) pairs to add (m),
 * k, (index, id) pairs to remove (k), s, (logical, value, ttlMs) seeds (s), x, then per seeded index
 * (logical, ttlMs, count, ids...) (x). Every touched key gets its version bumped. Index edits apply
 * only to indexes that exist (complete); an absent index is rebuilt from MySQL when next read.
 */
export const applyWriteScript = new LuaScript(`${LUA_KEY_NAMES}
local ns, version_ttl = ARGV[1], tonumber(ARGV[2])
local e = redis.call('GET', KEYS[1])
if not e then return 0 end
local function bump(logical)
  local vk = version_key(ns, e, logical)
  redis.call('INCR', vk)
  redis.call('PEXPIRE', vk, version_ttl)
end
local i = 3
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('DEL', data_key(ns, e, ARGV[i]))
  bump(ARGV[i])
  i = i + 1
end
for pass = 1, 2 do
  n = tonumber(ARGV[i]); i = i + 1
  for _ = 1, n do
    local key = data_key(ns, e, ARGV[i])
    if redis.call('EXISTS', key) == 1 then
      if pass == 1 then redis.call('ZADD', key, ARGV[i + 1], ARGV[i + 1])
      else redis.call('ZREM', key, ARGV[i + 1]) end
    end
    bump(ARGV[i])
    i = i + 2
  end
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('SET', data_key(ns, e, ARGV[i]), ARGV[i + 1], 'PX', tonumber(ARGV[i + 2]))
  bump(ARGV[i])
  i = i + 3
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local key = data_key(ns, e, ARGV[i])
  local ttl, count = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  redis.call('DEL', key)
  redis.call('ZADD', key, -1, '${INDEX_COMPLETE_MEMBER}')
  for j = 1, count do redis.call('ZADD', key, ARGV[i + 2 + j], ARGV[i + 2 + j]) end
  redis.call('PEXPIRE', key, ttl)
  bump(ARGV[i])
  i = i + 3 + count
end
return 1
`);
