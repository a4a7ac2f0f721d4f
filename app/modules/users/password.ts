import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Semaphore } from '../../platform/semaphore.js';

/**
 * scrypt (memory-hard, in node:crypto, runs on the libuv pool so it does not block the event loop).
 * N=2^15, r=8 costs 32 MiB and ~50-100 ms per hash: expensive for an attacker with a stolen table,
 * affordable per login. Parameters are stored with each hash so they can be raised later.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** A hash of a random password, compared against when the email is unknown so timing does not leak it. */
  dummyHash(): Promise<string>;
}

export interface HasherOptions {
  /** Hashes at once: libuv's thread count (UV_THREADPOOL_SIZE), which hashing shares with DNS and zlib. */
  concurrency: number;
  /** Hashes that may wait; more are shed at once (503 auth_busy). */
  queueLimit: number;
  waitTimeoutMs: number;
}

const maxmem = (n: number, r: number) => 128 * n * r * 2;

/**
 * Unbounded, a burst of logins queues on the thread pool for seconds; bounded, the excess is shed
 * with 503 (reason auth_busy) and the rest of the API keeps its latency.
 */
export function createPasswordHasher(options: HasherOptions): PasswordHasher {
  const slots = new Semaphore({
    size: options.concurrency,
    queueLimit: options.queueLimit,
    waitTimeoutMs: options.waitTimeoutMs,
    reasons: { queueFull: 'auth_busy', timeout: 'auth_busy', closed: 'auth_busy' },
  });
  const scrypt = (password: string, salt: Buffer, keyLength: number, scryptOptions: ScryptOptions): Promise<Buffer> =>
    slots.run(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          scryptCallback(password, salt, keyLength, scryptOptions, (err, key) => {
            if (err) reject(err);
            else resolve(key);
          });
        }),
    );

  const hash = async (password: string): Promise<string> => {
    const salt = randomBytes(16);
    const key = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: maxmem(N, R) });
    return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
  };

  let dummy: Promise<string> | undefined;
  return {
    hash,
    async verify(password, stored) {
      const [scheme, n, r, p, saltB64, keyB64] = stored.split('$');
      if (scheme !== 'scrypt' || !n || !r || !p || !saltB64 || !keyB64) return false;
      const expected = Buffer.from(keyB64, 'base64');
      const cost = { N: Number(n), r: Number(r), p: Number(p) };
      const actual = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
        ...cost,
        maxmem: maxmem(cost.N, cost.r),
      });
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
    dummyHash() {
      // A failed attempt (shed while busy) is not remembered: the next login tries again.
      dummy ??= hash(randomBytes(16).toString('hex')).catch((err: unknown) => {
        dummy = undefined;
        throw err;
      });
      return dummy;
    },
  };
}
