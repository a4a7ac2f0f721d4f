import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import { createApiServer, listen } from '../../app/http/server.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
}

/** One GET through a keep-alive agent of a single socket, so consecutive calls reuse it. */
function get(agent: Agent, port: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('draining the API server', () => {
  it('when a client sends its next request on an idle keep-alive socket as the drain starts, then it is answered, with Connection: close', async () => {
    const api = createApiServer((_req, res) => {
      res.end('ok');
      return Promise.resolve();
    });
    const port = await listen(api.server, 0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(agent, port);
      assert.equal(first.status, 200);
      assert.notEqual(first.headers.connection, 'close', 'the socket is kept alive before the drain');
      // The drain starts while the agent holds the idle socket; the next request goes out on it
      // in the same tick, as a client's would that has not seen any close yet.
      const drained = api.drain(2000);
      const second = await get(agent, port);
      assert.equal(second.status, 200);
      assert.equal(second.headers.connection, 'close');
      await drained;
      assert.equal(api.server.listening, false);
    } finally {
      agent.destroy();
      api.server.closeAllConnections();
    }
  });
});
