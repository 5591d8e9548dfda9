/** join's `group`: the tracker introduces members only within their group, and relays no signal across groups. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { TRACKER_PROTOCOL_VERSION, parseClientMessage } from '@swarmcast/protocol';
import { startTracker } from '../src/index.js';
import type { TrackerServer } from '../src/index.js';
import { OFFER, connect } from './test-client.js';
import type { TestClient } from './test-client.js';

async function start(t: TestContext): Promise<TrackerServer> {
  const tracker = await startTracker({ port: 0 });
  t.after(() => tracker.close());
  return tracker;
}

async function joinGroup(t: TestContext, url: string, group?: string): Promise<{ client: TestClient; peers: string[] }> {
  const client = await connect(t, url);
  client.send({ type: 'join', protocol: TRACKER_PROTOCOL_VERSION, swarm: 'town-hall', uploadKbps: 0, ...(group === undefined ? {} : { group }) });
  const { peers } = await client.expect('joined');
  return { client, peers };
}

void describe('tracker: groups', () => {
  void test('a member meets only members of its group; members without a group meet only each other', async (t) => {
    const tracker = await start(t);
    const edgeA = await joinGroup(t, tracker.url, 'office-a');
    const plain = await joinGroup(t, tracker.url);
    const edgeB = await joinGroup(t, tracker.url, 'office-b');
    assert.deepEqual(edgeB.peers, []);
    const viewerA = await joinGroup(t, tracker.url, 'office-a');
    assert.deepEqual(viewerA.peers, [edgeA.client.peerId]);
    const viewerB = await joinGroup(t, tracker.url, 'office-b');
    assert.deepEqual(viewerB.peers, [edgeB.client.peerId]);
    const home = await joinGroup(t, tracker.url);
    assert.deepEqual(home.peers, [plain.client.peerId]);
    edgeA.client.send({ type: 'peers', swarm: 'town-hall' });
    assert.deepEqual((await edgeA.client.expect('peers')).peers, [viewerA.client.peerId]);
    assert.equal(tracker.stats().swarmsDetail['town-hall']?.peers, 6);
  });

  void test('a signal across groups is refused as to an unknown peer and not relayed', async (t) => {
    const tracker = await start(t);
    const a = await joinGroup(t, tracker.url, 'office-a');
    const b = await joinGroup(t, tracker.url, 'office-b');
    a.client.send({ type: 'signal', swarm: 'town-hall', to: b.client.peerId, data: OFFER });
    await a.client.roundTrip();
    await b.client.roundTrip();
    assert.equal(tracker.stats().rejects['SIGNAL_UNKNOWN_PEER'], 1);
    assert.equal(tracker.stats().signalsRelayed, 0);
  });

  void test('the group label is bounded and checked', () => {
    const join = { type: 'join', protocol: TRACKER_PROTOCOL_VERSION, swarm: 's' };
    assert.equal(parseClientMessage(JSON.stringify({ ...join, group: 'hq.floor-2_west' })).type, 'join');
    for (const bad of ['', 'a'.repeat(65), 'has space', 'ümlaut', 42]) {
      assert.throws(() => parseClientMessage(JSON.stringify({ ...join, group: bad })), /group/, JSON.stringify(bad));
    }
  });
});
