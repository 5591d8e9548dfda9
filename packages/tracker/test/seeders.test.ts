/** join's `seeder`: seeders come first in every peer list, named in `seeders`, within their group. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { TRACKER_PROTOCOL_VERSION } from '@swarmcast/protocol';
import { startTracker } from '../src/index.js';
import type { TrackerServer } from '../src/index.js';
import { connect } from './test-client.js';
import type { TestClient } from './test-client.js';

async function start(t: TestContext): Promise<TrackerServer> {
  const tracker = await startTracker({ port: 0, maxPeersInList: 3 });
  t.after(() => tracker.close());
  return tracker;
}

async function join(t: TestContext, url: string, options: { seeder?: boolean; group?: string } = {}): Promise<{ client: TestClient; peers: string[]; seeders: string[] | undefined }> {
  const client = await connect(t, url);
  client.send({ type: 'join', protocol: TRACKER_PROTOCOL_VERSION, swarm: 's', uploadKbps: 0, ...options });
  const { peers, seeders } = await client.expect('joined');
  return { client, peers, seeders };
}

void describe('tracker: seeders', () => {
  void test('a seeder is listed first to every joiner however large the swarm, and named in seeders', async (t) => {
    const tracker = await start(t);
    const seeder = await join(t, tracker.url, { seeder: true });
    for (let i = 0; i < 8; i++) await join(t, tracker.url);
    for (let i = 0; i < 4; i++) {
      const viewer = await join(t, tracker.url);
      assert.equal(viewer.peers.length, 3);
      assert.equal(viewer.peers[0], seeder.client.peerId);
      assert.deepEqual(viewer.seeders, [seeder.client.peerId]);
    }
    // A peers request too; the seeder itself gets no `seeders` (it is the only one).
    seeder.client.send({ type: 'peers', swarm: 's' });
    const reply = await seeder.client.expect('peers');
    assert.equal(reply.seeders, undefined);
    assert.ok(!reply.peers.includes(seeder.client.peerId));
  });

  void test('no seeders field without seeders; a seeder of another group is not listed; one that left is not', async (t) => {
    const tracker = await start(t);
    const other = await join(t, tracker.url, { seeder: true, group: 'office-b' });
    const plain = await join(t, tracker.url);
    assert.equal(plain.seeders, undefined);
    assert.ok(!plain.peers.includes(other.client.peerId));
    const seeder = await join(t, tracker.url, { seeder: true });
    seeder.client.send({ type: 'leave', swarm: 's' });
    // A round trip on the same connection: the tracker has handled the leave before the next join.
    seeder.client.send({ type: 'ping' });
    await seeder.client.expect('pong');
    const viewer = await join(t, tracker.url);
    assert.equal(viewer.seeders, undefined);
    assert.deepEqual(viewer.peers, [plain.client.peerId]);
  });
});
