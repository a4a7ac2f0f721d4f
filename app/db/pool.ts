import { performance } from 'node:perf_hooks';
import type { MysqlPool, MysqlPoolConnection } from 'kysely';
import type { Pool as RawPool, PoolConnection as RawConnection } from 'mysql2';
import { OverloadedError } from '../http/errors.js';
import { currentOperation, currentRequestContext } from '../http/request-context.js';
import {
  dbPoolAcquireDuration,
  dbPoolAcquireTimeouts,
  dbPoolConnections,
  dbPoolMax,
  dbPoolWaiting,
  dbQueryDuration,
} from '../metrics.js';

export interface GateOptions {
  size: number;
  acquireTimeoutMs: number;
  /** Waiters beyond this are refused at once: a queue longer than the timeout can drain only hurts. */
  queueLimit: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

type QueryCallback = (error: unknown, result: unknown) => void;

/**
 * The pool Kysely talks to. mysql2's own pool queues without a deadline, so a stalled database
 * turns into requests that hang until the client gives up. This gate lends at most `size`
 * connections, lets a bounded number of requests wait for at most `acquireTimeoutMs`, and sheds the
 * rest with a 503 (OverloadedError). It also counts every statement for the request that issued it
 * and times it per operation.
 */
export class GatedPool implements MysqlPool {
  private active = 0;
  private readonly waiters: Waiter[] = [];
  private readonly wrappers = new WeakMap<RawConnection, MysqlPoolConnection>();
  private closed = false;

  constructor(
    private readonly raw: RawPool,
    private readonly options: GateOptions,
  ) {
    dbPoolMax.set(options.size);
    this.publish();
  }

  getConnection(callback: (error: unknown, connection: MysqlPoolConnection) => void): void {
    const started = performance.now();
    this.acquireSlot().then(
      () => {
        dbPoolAcquireDuration.observe((performance.now() - started) / 1000);
        this.raw.getConnection((err, connection) => {
          if (err) {
            this.releaseSlot();
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
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new OverloadedError('db_unavailable'));
    }
    this.publish();
    this.raw.end(callback);
  }

  stats(): { active: number; idle: number; waiting: number; max: number } {
    const open = this.openConnections();
    return { active: this.active, idle: Math.max(0, open - this.active), waiting: this.waiters.length, max: this.options.size };
  }

  private acquireSlot(): Promise<void> {
    if (this.closed) return Promise.reject(new OverloadedError('db_unavailable'));
    if (this.active < this.options.size) {
      this.active += 1;
      this.publish();
      return Promise.resolve();
    }
    if (this.waiters.length >= this.options.queueLimit) {
      return Promise.reject(new OverloadedError('db_queue_full'));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          dbPoolAcquireTimeouts.inc();
          this.publish();
          reject(new OverloadedError('db_pool_timeout'));
        }, this.options.acquireTimeoutMs),
      };
      this.waiters.push(waiter);
      this.publish();
    });
  }

  private releaseSlot(): void {
    const next = this.waiters.shift();
    if (next) {
      // Hand the slot straight to the next waiter: `active` stays the same.
      clearTimeout(next.timer);
      next.resolve();
    } else {
      this.active -= 1;
    }
    this.publish();
  }

  private wrap(connection: RawConnection): MysqlPoolConnection {
    const existing = this.wrappers.get(connection);
    if (existing) return existing;
    const wrapper = {
      query: (sql: string, parameters: unknown[], callback?: QueryCallback) => {
        const context = currentRequestContext();
        if (context) context.dbStatements += 1;
        if (!callback) return connection.query(sql, parameters);
        const timer = dbQueryDuration.startTimer({ operation: currentOperation() });
        connection.query(sql, parameters, (err: unknown, result: unknown) => {
          timer();
          callback(err, result);
        });
        return undefined;
      },
      release: () => {
        connection.release();
        this.releaseSlot();
      },
    } as unknown as MysqlPoolConnection;
    this.wrappers.set(connection, wrapper);
    return wrapper;
  }

  /** mysql2 keeps its open connections in a private queue; read it defensively. */
  private openConnections(): number {
    const all = (this.raw as unknown as { _allConnections?: { length?: unknown } })._allConnections;
    return typeof all?.length === 'number' ? all.length : this.active;
  }

  private publish(): void {
    const s = this.stats();
    dbPoolConnections.set({ state: 'active' }, s.active);
    dbPoolConnections.set({ state: 'idle' }, s.idle);
    dbPoolWaiting.set(s.waiting);
  }
}
