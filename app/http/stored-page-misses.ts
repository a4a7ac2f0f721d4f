import type { IncomingMessage } from 'node:http';

/**
 * Requests whose stored page the fast path (cached-reads.ts) looked up and did not find. Koa's
 * article routes then go straight to the read that builds the page instead of looking it up a
 * second time: under writes (each one drops the stored pages) most reads miss, and the repeated
 * lookup cost the 5:1 mix a Redis round trip per read.
 */
const missed = new WeakSet<IncomingMessage>();

export function rememberStoredPageMiss(req: IncomingMessage): void {
  missed.add(req);
}

export function storedPageMissed(req: IncomingMessage): boolean {
  return missed.has(req);
}
