import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server that can drain: once draining, every answer closes its keep-alive socket. */
export interface DrainableServer {
  readonly server: Server;
  /**
   * Answers with Connection: close for a linger window, then stops accepting and closes what is
   * idle, lets in-flight requests finish, and forces remaining sockets closed by the end of graceMs.
   */
  drain(graceMs: number): Promise<void>;
}

/** The longest linger: long enough for requests already on their way, short against the grace window. */
const MAX_LINGER_MS = 2000;

/** The public API server, with timeouts longer than typical load balancer idle timeouts. */
export function createApiServer(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): DrainableServer {
  let draining = false;
  const server = createServer((req, res) => {
    // While draining, tell keep-alive clients to reconnect elsewhere: the socket ends with the answer.
    if (draining) res.setHeader('Connection', 'close');
    // Koa's handler answers its own errors; nothing is left to await here.
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  return {
    server,
    async drain(graceMs) {
      draining = true;
      // A client may be writing its next request into an idle keep-alive socket right now; closing
      // that socket would reset the request (about 1 in 500 requests of a rolling update did). So
      // the idle sockets stay open for a linger window, each request on them answered with
      // Connection: close, and only then does close() end what is still idle.
      const lingerMs = Math.min(MAX_LINGER_MS, graceMs / 2);
      await new Promise((resolve) => setTimeout(resolve, lingerMs));
      await closeServer(server, graceMs - lingerMs);
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
