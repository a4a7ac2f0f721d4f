import { isIPv4, isIPv6 } from 'node:net';
import type { Context } from 'koa';

/**
 * Who is calling, for per-client limits. X-Forwarded-For is written by whoever sends the request,
 * so it is believed only as far as a configured number of proxies of ours (TRUSTED_PROXY_COUNT,
 * e.g. 1 for an Ingress controller) appended to it: each appends the address it received the
 * request from, so the client is the address that many hops from the right of
 * [...X-Forwarded-For, socket peer]. Anything further left was written by the client. With 0 (the
 * default) the header is ignored and the socket's peer is the client.
 */
export function clientAddress(ctx: Context, trustedProxyCount: number): string {
  const peer = ctx.req.socket.remoteAddress ?? '';
  if (trustedProxyCount <= 0) return peer;
  const forwarded = ctx
    .get('X-Forwarded-For')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  const hops = [...forwarded, peer];
  // Fewer hops than proxies (a request that did not come through all of them): the leftmost.
  return hops[Math.max(0, hops.length - 1 - trustedProxyCount)] ?? peer;
}

/** Drops a port ("1.2.3.4:5678", "[::1]:5678") and an IPv6 zone, as some proxies write them. */
function bareAddress(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed?.[1]) return bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(hop);
  if (v4WithPort?.[1]) return v4WithPort[1];
  return hop.replace(/%.*$/, '');
}

/** The first four groups of an IPv6 address, expanded ("2001:db8::1" -> "2001:db8:0:0"). */
function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 tail ("::ffff:1.2.3.4", "64:ff9b::1.2.3.4") fills two groups.
  const width = (parts: string[]) => parts.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const zeros: string[] = Array.from({ length: Math.max(0, 8 - width(left) - width(right)) }, () => '0');
  return [...left, ...zeros, ...right]
    .slice(0, 4)
    .map((g) => (g.includes('.') ? g : parseInt(g, 16).toString(16)))
    .join(':');
}

/**
 * The key a client's budget is kept under. IPv4 clients by address; IPv6 clients by their /64,
 * the block one subscriber line or host is given (one machine can take any address in it, so a
 * per-address limit would not hold); IPv4-mapped IPv6 (how a dual-stack socket reports IPv4
 * peers) as the IPv4 address. Anything unparseable is kept as it is, cut short.
 */
export function clientKey(address: string): string {
  const bare = bareAddress(address.trim());
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped?.[1]) return mapped[1];
  if (isIPv4(bare)) return bare;
  if (isIPv6(bare)) return `${ipv6Prefix64(bare.toLowerCase())}::/64`;
  return bare.slice(0, 64) || 'unknown';
}
