import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request state that deep layers (the SQL pool) need without threading it through calls. */
export interface RequestContext {
  readonly requestId: string;
  /** SQL statements sent to the database while serving this request (the N+1 detector). */
  dbStatements: number;
}

const storage = new AsyncLocalStorage<RequestContext>();
const operationStorage = new AsyncLocalStorage<string>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Names the SQL issued inside fn, for db_query_duration_seconds{operation}. */
export function withOperation<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  return operationStorage.run(operation, fn);
}

export function currentOperation(): string {
  return operationStorage.getStore() ?? 'other';
}
