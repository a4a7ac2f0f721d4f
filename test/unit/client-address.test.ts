import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Context } from 'koa';
import { clientAddress, clientKey } from '../../app/http/client-address.js';

/** The two things clientAddress reads: the socket's peer and the X-Forwarded-For header. */
function request(peer: string, forwardedFor?: string): Context {
  const headers: Record<string, string> = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  const ctx = {
    req: { socket: { remoteAddress: peer } },
    get: (name: string) => headers[name.toLowerCase()] ?? '',
  };
  return ctx as unknown as Context;
}

describe('client address for per-client limits', () => {
  it('when no proxy is trusted, then X-Forwarded-For is ignored and the socket peer is the client', () => {
    assert.equal(clientAddress(request('203.0.113.7', '198.51.100.1'), 0), '203.0.113.7');
  });

  it('when one proxy is trusted, then the client is the address that proxy appended, not what the client wrote', () => {
    // The client wrote "1.1.1.1"; the Ingress (socket peer 10.0.0.5) appended the real peer 203.0.113.7.
    assert.equal(clientAddress(request('10.0.0.5', '1.1.1.1, 203.0.113.7'), 1), '203.0.113.7');
    assert.equal(clientAddress(request('10.0.0.5', '203.0.113.7'), 1), '203.0.113.7');
  });

  it('when two proxies are trusted, then the client is two hops from the right', () => {
    assert.equal(clientAddress(request('10.0.0.9', '6.6.6.6, 203.0.113.7, 10.0.0.5'), 2), '203.0.113.7');
  });

  it('when the header has fewer hops than trusted proxies, then the leftmost address is used', () => {
    assert.equal(clientAddress(request('10.0.0.5'), 1), '10.0.0.5');
    assert.equal(clientAddress(request('10.0.0.5', '203.0.113.7'), 3), '203.0.113.7');
  });

  it('when addresses come as IPv4-mapped, with ports or as IPv6, then one client has one key and an IPv6 /64 is one client', () => {
    assert.equal(clientKey('::ffff:127.0.0.2'), '127.0.0.2');
    assert.equal(clientKey('203.0.113.7:51234'), '203.0.113.7');
    assert.equal(clientKey('[2001:db8:1:2::1]:443'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:DB8:1:2::ffff'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey(''), 'unknown');
  });
});
