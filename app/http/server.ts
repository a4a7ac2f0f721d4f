import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server that can drain: once draining, every answer closes its keep-alive socket. */
export interface DrainableServer {
  readonly server: Server;
  /** Stops accepting, lets in-flight requests finish, forces remaining sockets closed after graceMs. */
  drain(graceMs: number): Promise<void>;
}

/** The public API server, with timeouts longer than typical load balancer idle timeouts. */
export function createApiServer(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): DrainableServer {
  let draining = false;
  const server = createServer((req, res) => {
    // While draining, tell keep-alive clients to reconnect elsewhere and let each socket go as soon
    // as its answer is sent, so close() does not wait for idle sockets until the force timeout.
    if (draining) res.setHeader('Connection', 'close');
    res.once('finish', () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
    // Koa's handler answers its own errors; nothing is left to await here.
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  return {
    server,
    drain(graceMs) {
      draining = true;
      return closeServer(server, graceMs);
    },
  };
}

export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Idle keep-alive sockets would hold close() open; in-flight requests are left to finish.
    server.closeIdleConnections();
    const force = setTimeout(() => {
      server.closeAllConnections();
    }, graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
