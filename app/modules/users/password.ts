import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Semaphore } from '../../semaphore.js';

/**
 * scrypt (memory-hard, in node:crypto, runs on the libuv pool so it does not block the event loop).
 * N=2^15, r=8 costs 32 MiB and ~50-100 ms per hash: expensive for an attacker with a stolen table,
 * affordable per login. Parameters are stored with each hash so they can be raised later.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

/**
 * Hashing runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), shared
 * with DNS and zlib. Unbounded, a burst of logins queues there for seconds; bounded, the excess is
 * shed with 503 (reason auth_busy) and the rest of the API keeps its latency.
 */
const hashing = new Semaphore({
  size: Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4),
  queueLimit: 64,
  waitTimeoutMs: 2000,
  reasons: { queueFull: 'auth_busy', timeout: 'auth_busy' },
});

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return hashing.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scryptCallback(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

const maxmem = (n: number, r: number) => 128 * n * r * 2;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: maxmem(N, R) });
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const actual = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    ...cost,
    maxmem: maxmem(cost.N, cost.r),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of a random password, compared against when the email is unknown so timing does not leak it. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}
