import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { LIMITS } from '@swarmcast/protocol';
import { startTracker } from '../src/index.js';
import { OFFER, joined } from './test-client.js';

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

  for (const layer of ['lite', 'ws'] as const) {
    void test(`webSocketLayer '${layer}': join, relay, heartbeat, and an oversized message closed with 1009`, async (t) => {
      const tracker = await startTracker({ port: 0, webSocketLayer: layer });
      t.after(() => tracker.close());
      const a = await joined(t, tracker.url, 's');
      const b = await joined(t, tracker.url, 's');
      a.send({ type: 'signal', swarm: 's', to: b.peerId, data: OFFER });
      assert.deepEqual(await b.expect('signal'), { type: 'signal', swarm: 's', from: a.peerId, data: OFFER });
      await b.roundTrip();
      a.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(LIMITS.maxTrackerMessageBytes) }));
      assert.deepEqual(await a.closed, { code: 1009, reason: '' });
      assert.deepEqual(tracker.stats().rejects, { TRACKER_MSG_TOO_LARGE: 1 });
      assert.equal(tracker.stats().peers, 1);
    });
  }
});
