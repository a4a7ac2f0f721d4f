import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../platform/log.js';
import { cacheErrors, type CacheOp } from '../platform/metrics.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { CacheCommands, type CallScope, type EpochMoved } from './commands.js';
import { keyspaceFor, type Keyspace } from './keys.js';

export interface RedisLinkOptions {
  breakerFailures: number;
  breakerRetryMs: number;
}

/** How often a read retries the namespace while it is unknown (writes always retry). */
const NAMESPACE_RETRY_MS = 1000;

/** Thrown when Redis must not be used now (breaker open, not connected, namespace unknown). */
export class RedisUnusable extends Error {
  constructor(why: string) {
    super(`Redis unusable: ${why}`);
    this.name = 'RedisUnusable';
  }
}

/** Random once per process: new epochs are unique across replicas without random bytes per call. */
const PROCESS_TAG = randomBytes(4).toString('hex');
let epochsMade = 0;

/** A name for a new epoch, never made twice (every read script carries one in case Redis lost the epoch). */
function freshEpoch(): string {
  epochsMade += 1;
  return `${Date.now().toString(36)}${PROCESS_TAG}${epochsMade.toString(36)}`;
}

/**
 * Everything about reaching Redis safely, and nothing about what is cached:
 * - the namespace (database name + the incarnation id migration 0002 wrote), resolved on first use;
 *   nothing is cached under an unknown namespace, so a pod that starts before the migration serves
 *   from MySQL (reads retry at most once a second, writes always retry after their commit);
 * - the current epoch, remembered between calls and corrected when a script reports it moved;
 * - the circuit breaker: a call while it is open fails at once; its probe starts a new epoch when
 *   a write Redis did not see left the cache dirty;
 * - the scripts (CacheCommands), with error counting per operation.
 */
export class RedisLink {
  readonly leaseToken = randomBytes(8).toString('hex');
  private readonly breaker: CircuitBreaker;
  private readonly scripts: CacheCommands;
  private keyspace: Keyspace | undefined;
  private resolving: Promise<Keyspace | undefined> | undefined;
  private lastResolveFailure = 0;
  private epoch = '';
  /** Counts failed writes; the probe clears `dirty` only if none failed while it ran. */
  private dirtyGeneration = 0;
  private dirty = false;
  private closed = false;

  constructor(
    private readonly client: Redis,
    private readonly namespace: { databaseName: string; incarnation: () => Promise<string | undefined> },
    options: RedisLinkOptions,
    private readonly log: Logger,
  ) {
    this.scripts = new CacheCommands(client);
    this.breaker = new CircuitBreaker({
      failureThreshold: options.breakerFailures,
      retryMs: options.breakerRetryMs,
      probe: () => this.probe(),
      onStateChange: (open) => {
        if (open) log.warn('Redis unavailable: serving from MySQL');
        else log.info('Redis available again: caching resumed');
      },
    });
    client.on('close', () => {
      this.breaker.open();
    });
    if (client.status !== 'ready') this.breaker.open();
  }

  /** The namespace, resolved now if possible; undefined while the schema is not readable. */
  async resolveNamespace(purpose: 'read' | 'write'): Promise<Keyspace | undefined> {
    if (this.keyspace || this.closed) return this.keyspace;
    if (purpose === 'write') {
      // An attempt that started before this write committed may have failed before the schema
      // existed: only an attempt started after the commit proves nobody cached what it changed.
      if (this.resolving) await this.resolving;
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the attempt awaited just above
      if (this.keyspace) return this.keyspace;
    } else if (!this.resolving && Date.now() - this.lastResolveFailure < NAMESPACE_RETRY_MS) {
      return undefined;
    }
    this.resolving ??= (async () => {
      const incarnation = await this.namespace.incarnation();
      if (incarnation === undefined) {
        this.lastResolveFailure = Date.now();
        return undefined;
      }
      this.keyspace = keyspaceFor(this.namespace.databaseName, incarnation);
      return this.keyspace;
    })().finally(() => {
      this.resolving = undefined;
    });
    return this.resolving;
  }

  /**
   * Runs one script call. A call that named a stale epoch learns the current one and runs again
   * in it (reads and writes); a call pinned to an epoch (a store or an install of what was read in
   * that epoch) keeps the 'moved' answer instead, since its data belongs to the old epoch.
   */
  async run<R>(
    call: (scripts: CacheCommands, scope: CallScope) => Promise<R | EpochMoved>,
    options: { op: CacheOp; purpose: 'read' | 'write'; epoch?: string },
  ): Promise<R | EpochMoved> {
    const { op } = options;
    const keyspace = await this.resolveNamespace(options.purpose);
    if (!keyspace) throw new RedisUnusable('namespace not readable yet');
    if (!this.breaker.isClosed || this.client.status !== 'ready') {
      cacheErrors.inc({ op });
      throw new RedisUnusable('breaker open');
    }
    try {
      for (let attempt = 0; ; attempt += 1) {
        const epoch = options.epoch ?? this.epoch;
        const scope: CallScope = {
          epoch,
          fresh: freshEpoch(),
          token: this.leaseToken,
          epochKey: keyspace.epochKey,
          keys: (logical) => keyspace.entry(epoch, logical),
        };
        const reply = await call(this.scripts, scope);
        if (isMoved(reply)) this.epoch = reply.epoch;
        // Two moves in a row means epochs are changing under us: the caller treats it as a miss.
        if (!isMoved(reply) || options.epoch !== undefined || attempt >= 2) {
          this.breaker.success();
          return reply;
        }
      }
    } catch (err) {
      cacheErrors.inc({ op });
      this.breaker.failure();
      this.log.debug({ err, op }, 'Redis operation failed');
      throw err;
    }
  }

  /**
   * A read that only looks (no fill, no lease): its hit, or undefined when it found nothing, the
   * epoch kept moving, or Redis could not answer; the caller then takes the path that can build.
   */
  async peek<H extends { status: 'hit' }>(
    call: (scripts: CacheCommands, scope: CallScope) => Promise<H | { status: 'absent' } | EpochMoved>,
    op: CacheOp,
  ): Promise<H | undefined> {
    const reply = await this.run(call, { op, purpose: 'read' }).catch(() => undefined);
    return reply !== undefined && !isMoved(reply) && reply.status === 'hit' ? reply : undefined;
  }

  /** A write Redis did not see: stop reading Redis until the probe has started a new epoch. */
  markDirty(): void {
    this.dirty = true;
    this.dirtyGeneration += 1;
    this.breaker.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.breaker.stop();
    if (this.resolving) await this.resolving;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /** The breaker's probe: Redis answers, and if a write was missed, a new epoch is started first. */
  private async probe(): Promise<void> {
    if (this.client.status !== 'ready') throw new Error('not connected');
    await this.client.ping();
    if (!this.dirty) return;
    const keyspace = await this.resolveNamespace('write');
    // No namespace yet: nothing can have been cached under it, so nothing is stale.
    if (keyspace) {
      const generation = this.dirtyGeneration;
      const epoch = freshEpoch();
      await this.client.set(keyspace.epochKey, epoch);
      this.epoch = epoch;
      if (generation !== this.dirtyGeneration) throw new Error('another write failed during the probe');
      this.log.info('started a new cache epoch after writes Redis did not see');
    }
    this.dirty = false;
  }
}

export function isMoved(reply: unknown): reply is EpochMoved {
  return typeof reply === 'object' && reply !== null && (reply as Partial<EpochMoved>).moved === true;
}

/**
 * Connects with short timeouts and no offline queue, so a command to a missing Redis fails at
 * once instead of waiting for a reconnect that may never come.
 */
export function createRedisClient(url: string, log: Logger): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: 250,
    connectTimeout: 1000,
    // Commands issued in the same tick (many requests at once) go out in one socket write.
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  let lastLogged = 0;
  client.on('error', (err: Error) => {
    // Every reconnect attempt errors while Redis is down; one line per 10 s is enough.
    const now = Date.now();
    if (now - lastLogged > 10_000) {
      lastLogged = now;
      log.warn({ err: err.message }, 'Redis connection error');
    }
  });
  return client;
}
