import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import { isDeadlock } from '../platform/mysql-errors.js';
import type { Database } from './schema.js';

export interface TransactionOptions {
  /**
   * How often a transaction InnoDB chose as a deadlock victim is run again. InnoDB rolled it back
   * whole, so running it again is safe; a deadlock that persists is answered 503 (db_deadlock).
   */
  deadlockRetries?: number;
}

/** Runs fn in a transaction, again after a deadlock (once by default), with a short random pause. */
export async function inTransaction<T>(
  db: Kysely<Database>,
  fn: (trx: Transaction<Database>) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.deadlockRetries ?? 1;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await db.transaction().execute(fn);
    } catch (err) {
      if (!isDeadlock(err) || attempt >= retries) throw err;
      // Spread the retries so the same transactions do not collide again in lockstep.
      await sleep(5 + Math.random() * 20 * (attempt + 1));
    }
  }
}
