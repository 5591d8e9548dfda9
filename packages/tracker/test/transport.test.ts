import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { startTracker } from '../src/index.js';

void describe('tracker transport', () => {
  void test('permessage-deflate is refused even when the client offers it (CPU and memory per connection)', async (t) => {
    const tracker = await startTracker({ port: 0 });
    t.after(() => tracker.close());
    // ws clients offer permessage-deflate by default.
    const socket = new WebSocket(tracker.url, { perMessageDeflate: true });
    t.after(() => {
      socket.terminate();
    });
    const offered = await new Promise<string | undefined>((resolve, reject) => {
      socket.once('upgrade', (res) => {
        resolve(res.headers['sec-websocket-extensions']);
      });
      socket.once('error', reject);
    });
    assert.equal(offered, undefined);
    if (socket.readyState !== WebSocket.OPEN) await new Promise((resolve) => socket.once('open', resolve));
    assert.equal(socket.extensions, '');
  });
});
