/**
 * Each kind of bad input: the offender gets an error with a stable code and is closed, while two good
 * clients in the same swarm keep pinging and relaying as if nothing happened.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LIMITS } from '@swarmcast/protocol';
import { startTracker } from '../src/index.js';
import type { TrackerConfig } from '../src/index.js';
import { OFFER, connect, joined } from './test-client.js';
import type { TestClient } from './test-client.js';

const SWARM = 'live/main';

interface BadCase {
  name: string;
  code: string;
  config?: Partial<TrackerConfig>;
  /** Misbehaves; good is a member of SWARM the bad client may target. */
  act(bad: TestClient, good: TestClient): void;
  /** ws itself closes oversized frames with 1009, before the tracker can send an error. */
  expectClose?: { code: number; reason: string };
}

const cases: BadCase[] = [
  {
    name: 'malformed JSON',
    code: 'TRACKER_MSG_NOT_JSON',
    act: (bad) => {
      bad.sendRaw('{"type":"ping"');
    },
  },
  {
    name: 'valid JSON of the wrong shape',
    code: 'TRACKER_MSG_INVALID',
    act: (bad) => {
      bad.sendRaw(JSON.stringify({ type: 'join', protocol: 1, swarm: 42 }));
    },
  },
  {
    name: 'JSON that is not an object',
    code: 'TRACKER_MSG_INVALID',
    act: (bad) => {
      bad.sendRaw('[1,2,3]');
    },
  },
  {
    name: 'an unknown message type',
    code: 'TRACKER_MSG_INVALID',
    act: (bad) => {
      bad.sendRaw(JSON.stringify({ type: 'announce', swarm: SWARM }));
    },
  },
  {
    name: 'a signal with a forged from field',
    code: 'TRACKER_MSG_INVALID',
    act: (bad, good) => {
      bad.sendRaw(JSON.stringify({ type: 'signal', swarm: SWARM, to: good.peerId, from: good.peerId, data: OFFER }));
    },
  },
  {
    name: 'an oversized frame',
    code: 'TRACKER_MSG_TOO_LARGE',
    act: (bad) => {
      bad.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(LIMITS.maxTrackerMessageBytes) }));
    },
    expectClose: { code: 1009, reason: '' },
  },
  {
    name: 'a binary frame',
    code: 'BINARY_FRAME',
    act: (bad) => {
      bad.sendRaw(Buffer.from(JSON.stringify({ type: 'ping' })));
    },
  },
  {
    name: 'a flood beyond the rate limit',
    code: 'RATE_LIMITED',
    config: { rateLimitBurst: 20, rateLimitMessagesPerSec: 1 },
    act: (bad) => {
      for (let i = 0; i < 100; i++) bad.send({ type: 'ping' });
    },
  },
  {
    name: 'a signal before any join',
    code: 'NOT_IN_SWARM',
    act: (bad, good) => {
      bad.send({ type: 'signal', swarm: SWARM, to: good.peerId, data: OFFER });
    },
  },
  {
    name: 'too many swarms',
    code: 'TOO_MANY_SWARMS',
    config: { maxSwarmsPerConnection: 3 },
    act: (bad) => {
      for (const swarm of [SWARM, 'b', 'c', 'd']) bad.join(swarm);
    },
  },
  {
    name: 'peers for a swarm not joined',
    code: 'NOT_IN_SWARM',
    act: (bad) => {
      bad.join('elsewhere');
      bad.send({ type: 'peers', swarm: SWARM });
    },
  },
  {
    name: 'a signal into a swarm not joined (joined another)',
    code: 'NOT_IN_SWARM',
    act: (bad, good) => {
      bad.join('elsewhere');
      bad.send({ type: 'signal', swarm: SWARM, to: good.peerId, data: OFFER });
    },
  },
  {
    name: 'a signal after leaving the swarm',
    code: 'NOT_IN_SWARM',
    act: (bad, good) => {
      bad.join(SWARM);
      bad.send({ type: 'leave', swarm: SWARM });
      bad.send({ type: 'signal', swarm: SWARM, to: good.peerId, data: OFFER });
    },
  },
];

void describe('tracker: bad input closes only the offender', () => {
  for (const c of cases) {
    void test(c.name, async (t) => {
      const tracker = await startTracker({ port: 0, ...c.config });
      t.after(() => tracker.close());
      const good1 = await joined(t, tracker.url, SWARM);
      const good2 = await joined(t, tracker.url, SWARM);
      const bad = await connect(t, tracker.url);

      c.act(bad, good1);
      if (c.expectClose) {
        assert.deepEqual(await bad.closed, c.expectClose);
      } else {
        // A flood may be answered by some pongs (or joins answered) before the error.
        const error = await bad.skipTo('error');
        assert.equal(error.code, c.code);
        assert.ok(error.message.length > 10, `a human message, got ${JSON.stringify(error.message)}`);
        assert.deepEqual(await bad.closed, { code: 1008, reason: c.code });
      }

      // The good clients are untouched: they still ping, see each other and relay signals.
      await good1.roundTrip();
      good1.send({ type: 'peers', swarm: SWARM });
      assert.deepEqual((await good1.expect('peers')).peers, [good2.peerId]);
      good1.send({ type: 'signal', swarm: SWARM, to: good2.peerId, data: OFFER });
      assert.deepEqual(await good2.expect('signal'), { type: 'signal', swarm: SWARM, from: good1.peerId, data: OFFER });
      good2.send({ type: 'signal', swarm: SWARM, to: good1.peerId, data: OFFER });
      assert.equal((await good1.expect('signal')).from, good2.peerId);

      const stats = tracker.stats();
      assert.deepEqual(stats.rejects, { [c.code]: 1 });
      assert.deepEqual(stats.swarmsDetail, { [SWARM]: { peers: 2 } });
      assert.equal(stats.peers, 2);
    });
  }
});
