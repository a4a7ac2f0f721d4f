import { performance } from 'node:perf_hooks';
import type { MysqlPool, MysqlPoolConnection } from 'kysely';
import type { Pool as RawPool, PoolConnection as RawConnection } from 'mysql2';
import { isClientTimeout } from '../platform/mysql-errors.js';
import { currentOperation, currentRequestContext } from '../platform/request-context.js';
import { Semaphore } from '../platform/semaphore.js';
import {
  dbPoolAcquireDuration,
  dbPoolAcquireTimeouts,
  dbPoolConnections,
  dbPoolMax,
  dbPoolWaiting,
  dbQueryDuration,
} from '../platform/metrics.js';

export interface GateOptions {
  size: number;
  acquireTimeoutMs: number;
  /** Waiters beyond this are refused at once: a queue longer than the timeout can drain only hurts. */
  queueLimit: number;
  /**
   * The client's own deadline for one statement. The server's deadline (DB_STATEMENT_TIMEOUT_MS,
   * set per session) comes first; this one ends a wait on a server that vanished without closing
   * the connection (a deleted pod), which would otherwise last until TCP gives up.
   */
  clientTimeoutMs: number;
}

type QueryCallback = (error: unknown, result: unknown) => void;

const TRANSACTION_CONTROL = /^\s*(begin|start transaction|commit|rollback)/i;

/**
 * The operation label of a statement: the name its query function gave it, or for the transaction
 * control Kysely sends around them, transaction.begin / .commit / .rollback (a commit waits for
 * the redo log's fsync, often the longest part of a write).
 */
function operationOf(sql: string): string {
  const named = currentOperation();
  if (named !== 'other') return named;
  const control = TRANSACTION_CONTROL.exec(sql)?.[1]?.toLowerCase();
  if (control === undefined) return named;
  return `transaction.${control === 'start transaction' ? 'begin' : control}`;
}

/**
 * The pool Kysely talks to. mysql2's own pool queues without a deadline, so a stalled database
 * turns into requests that hang until the client gives up. This gate lends at most `size`
 * connections, lets a bounded number of requests wait for at most `acquireTimeoutMs`, and sheds the
 * rest with a 503 (ShedError). It also counts every statement for the request that issued it
 * and times it per operation.
 */
export class GatedPool implements MysqlPool {
  private readonly slots: Semaphore;
  private readonly wrappers = new WeakMap<RawConnection, MysqlPoolConnection>();

  constructor(
    private readonly raw: RawPool,
    private readonly options: GateOptions,
  ) {
    this.slots = new Semaphore({
      size: options.size,
      queueLimit: options.queueLimit,
      waitTimeoutMs: options.acquireTimeoutMs,
      reasons: { queueFull: 'db_queue_full', timeout: 'db_pool_timeout', closed: 'db_unavailable' },
      onChange: () => this.publish(),
      onTimeout: () => dbPoolAcquireTimeouts.inc(),
    });
    dbPoolMax.set(options.size);
    this.publish();
  }

  getConnection(callback: (error: unknown, connection: MysqlPoolConnection) => void): void {
    const started = performance.now();
    this.slots.acquire().then(
      () => {
        dbPoolAcquireDuration.observe((performance.now() - started) / 1000);
        // The gate never lends more than the raw pool's size, so this never queues inside mysql2.
        this.raw.getConnection((err, connection) => {
          if (err) {
            this.slots.release();
            callback(err, undefined as unknown as MysqlPoolConnection);
            return;
          }
          const wrapped = this.wrap(connection);
          this.publish();
          callback(null, wrapped);
        });
      },
      (err: unknown) => callback(err, undefined as unknown as MysqlPoolConnection),
    );
  }

  end(callback: (error: unknown) => void): void {
    this.slots.close();
    this.raw.end(callback);
  }

  stats(): { active: number; idle: number; waiting: number; max: number } {
    const open = this.openConnections();
    const active = this.slots.active;
    return { active, idle: Math.max(0, open - active), waiting: this.slots.waiting, max: this.options.size };
  }

  private wrap(connection: RawConnection): MysqlPoolConnection {
    const existing = this.wrappers.get(connection);
    if (existing) return existing;
    const wrapper = {
      query: (sql: string, parameters: unknown[], callback?: QueryCallback) => {
        const context = currentRequestContext();
        if (context) context.dbStatements += 1;
        if (!callback) return connection.query(sql, parameters);
        const timer = dbQueryDuration.startTimer({ operation: operationOf(sql) });
        connection.query({ sql, values: parameters, timeout: this.options.clientTimeoutMs }, (err: unknown, result: unknown) => {
          timer();
          // A late answer would reach the connection's next statement: never lend it again.
          if (isClientTimeout(err)) connection.destroy();
          callback(err, result);
        });
        return undefined;
      },
      release: () => {
        connection.release();
        this.slots.release();
      },
    } as unknown as MysqlPoolConnection;
    this.wrappers.set(connection, wrapper);
    return wrapper;
  }

  /** mysql2 keeps its open connections in a private queue; read it defensively. */
  private openConnections(): number {
    const all = (this.raw as unknown as { _allConnections?: { length?: unknown } })._allConnections;
    return typeof all?.length === 'number' ? all.length : this.slots.active;
  }

  private publish(): void {
    const s = this.stats();
    dbPoolConnections.set({ state: 'active' }, s.active);
    dbPoolConnections.set({ state: 'idle' }, s.idle);
    dbPoolWaiting.set(s.waiting);
  }
}
