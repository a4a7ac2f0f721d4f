/**
 * One in-flight fill per key per process: concurrent misses on a key share the first caller's
 * promise instead of each querying MySQL (the stampede the write-up measured).
 */
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  /** The running flight for key, if any. */
  current(key: string): Promise<T> | undefined {
    return this.inFlight.get(key);
  }

  /** Starts run() as the flight for every key in keys (a batch fill covers several keys). */
  start(keys: readonly string[], run: () => Promise<T>): Promise<T> {
    const flight = run();
    for (const key of keys) this.inFlight.set(key, flight);
    const forget = () => {
      for (const key of keys) if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
    };
    flight.then(forget, forget);
    return flight;
  }
}
