/**
 * TURN credentials in welcome (the TURN REST convention coturn checks with use-auth-secret), the
 * `turn` option's checks, and the observer that shows every signal the tracker relays.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { LIMITS } from '@swarmcast/protocol';
import type { IceServer } from '@swarmcast/protocol';
import { mintTurnCredential, resolveTrackerConfig, startTracker, turnRestCredential, TURN_DEFAULT_TTL_SEC } from '../src/index.js';
import type { ObservedSignal, TrackerConfig, TrackerServer } from '../src/index.js';
import { TurnCredentialMinter } from '../src/turn-credentials.js';
import { CANDIDATE, OFFER, eventually, joined, openClient } from './test-client.js';
import { captureLog } from './log-capture.js';

const SECRET = 'swarmcast-turn-secret-0123';
const TURN = { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: SECRET };

async function start(t: TestContext, config: Partial<TrackerConfig> = {}): Promise<TrackerServer> {
  const tracker = await startTracker({ port: 0, ...config });
  t.after(() => tracker.close());
  return tracker;
}

function problemsOf(config: Partial<TrackerConfig>): string {
  try {
    resolveTrackerConfig(config);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return '';
}

void describe('TURN REST credentials', () => {
  void test('match coturn\'s algorithm: base64(HMAC-SHA1(secret, "<expiry>:<peerId>"))', () => {
    // Vectors computed apart from this code: printf %s USER | openssl dgst -sha1 -hmac SECRET -binary | base64
    assert.equal(turnRestCredential(SECRET, '1700000000:peer-A'), '26Vtpd8s1fGvTlfvQl6/B0w0QA8=');
    assert.equal(turnRestCredential('north', '1433895918506:my_user_name'), '+8A4l7VX6yTmEzUg7ltAn+0+I8E=');
    assert.deepEqual(mintTurnCredential(SECRET, 'peer-A', 1_700_000_000), { username: '1700000000:peer-A', credential: '26Vtpd8s1fGvTlfvQl6/B0w0QA8=' });
    // A fractional expiry is cut to whole seconds, as coturn reads it.
    assert.equal(mintTurnCredential(SECRET, 'peer-A', 1_700_000_000.9).username, '1700000000:peer-A');
  });

  void test('expire ttlSec after minting (default 1 h), per peer, on the wall clock given', () => {
    let nowMs = 1_700_000_000_500;
    const minter = new TurnCredentialMinter({ ...TURN, ttlSec: 600 }, () => nowMs);
    const [a] = minter.iceServersFor('peer-A');
    assert.deepEqual(a, { urls: TURN.urls, username: '1700000600:peer-A', credential: turnRestCredential(SECRET, '1700000600:peer-A') });
    nowMs += 60_000;
    assert.equal(minter.iceServersFor('peer-B')[0]?.username, '1700000660:peer-B');
    const byDefault = new TurnCredentialMinter(TURN, () => 0).iceServersFor('p')[0];
    assert.equal(byDefault?.username, `${TURN_DEFAULT_TTL_SEC}:p`);
    assert.equal(TURN_DEFAULT_TTL_SEC, 3600);
  });
});

void describe('tracker config: turn', () => {
  void test('a valid option passes, stun URLs may ride along', () => {
    const config = resolveTrackerConfig({ turn: { urls: ['turns:turn.example.com:443?transport=tcp', 'stun:turn.example.com'], secret: SECRET, ttlSec: 60 } });
    assert.equal(config.turn?.ttlSec, 60);
    assert.equal(resolveTrackerConfig({}).turn, undefined);
  });

  void test('bad values are refused with a message naming the field', () => {
    const cases: [unknown, RegExp][] = [
      ['turn:x', /turn must be an object/],
      [{ ...TURN, urls: [] }, /turn\.urls must be 1 to 4 URLs/],
      [{ ...TURN, urls: 'turn:127.0.0.1' }, /turn\.urls must be/],
      [{ ...TURN, urls: ['turn:a', 'turn:b', 'turn:c', 'turn:d', 'turn:e'] }, /turn\.urls must be/],
      [{ ...TURN, urls: ['http://turn.example.com'] }, /turn\.urls must be/],
      [{ ...TURN, urls: ['turn:user:pass@turn.example.com'] }, /turn\.urls must be/],
      [{ ...TURN, urls: [`turn:${'h'.repeat(LIMITS.maxIceUrlLength)}`] }, /turn\.urls must be/],
      [{ ...TURN, urls: ['stun:stun.example.com'] }, /at least one turn: or turns: URL/],
      [{ ...TURN, secret: 'short' }, /turn\.secret must be 16 to 1024/],
      [{ ...TURN, secret: 'sixteen chars with spaces' }, /turn\.secret must be/],
      [{ urls: TURN.urls }, /turn\.secret must be/],
      [{ ...TURN, ttlSec: 59 }, /turn\.ttlSec must be an integer from 60 to 604800, got 59/],
      [{ ...TURN, ttlSec: 1.5 }, /turn\.ttlSec must be/],
      [{ ...TURN, ttlSec: '3600' }, /turn\.ttlSec must be .*got "3600"/],
      [{ ...TURN, ttl: 3600 }, /turn: unknown option 'ttl'/],
    ];
    for (const [turn, expected] of cases) {
      const message = problemsOf({ turn: turn as TrackerConfig['turn'] });
      assert.match(message, /^Invalid tracker config: /, JSON.stringify(turn));
      assert.match(message, expected, JSON.stringify(turn));
    }
  });
});

void describe('tracker: welcome with TURN', () => {
  void test('every welcome carries the TURN URLs with a credential minted for that peer, valid ttlSec from now', async (t) => {
    const tracker = await start(t, { turn: { ...TURN, ttlSec: 900 } });
    const before = Math.floor(Date.now() / 1000);
    const welcomes = [];
    for (let i = 0; i < 2; i++) welcomes.push(await (await openClient(t, tracker.url)).expect('welcome'));
    const after = Math.floor(Date.now() / 1000);
    const servers: IceServer[][] = [];
    for (const welcome of welcomes) {
      // (The test client has parsed it with the protocol's schema.)
      const [server, ...rest] = welcome.iceServers ?? [];
      assert.deepEqual(rest, []);
      assert.ok(server);
      assert.deepEqual(server.urls, TURN.urls);
      const [expiry, peerId, ...extra] = (server.username ?? '').split(':');
      assert.deepEqual(extra, []);
      assert.equal(peerId, welcome.peerId, 'the username names the peer');
      assert.ok(Number(expiry) >= before + 900 && Number(expiry) <= after + 900, `expiry ${expiry}`);
      assert.equal(server.credential, createHmac('sha1', SECRET).update(server.username ?? '').digest('base64'));
      servers.push(welcome.iceServers ?? []);
    }
    assert.notDeepEqual(servers[0], servers[1], 'each peer its own credential');
  });

  void test('without turn, welcome has no iceServers', async (t) => {
    const tracker = await start(t);
    const welcome = await (await openClient(t, tracker.url)).expect('welcome');
    assert.equal('iceServers' in welcome, false);
  });
});

void describe('tracker: observer', () => {
  void test('sees every signal a client sends, relayed or not; a throwing listener breaks nothing', async (t) => {
    const log = captureLog('info');
    const tracker = await start(t, { logger: log.logger });
    const seen: ObservedSignal[] = [];
    const record = (e: ObservedSignal): void => {
      seen.push(e);
    };
    tracker.observer.on('signal', () => {
      throw new Error('listener bug');
    });
    tracker.observer.on('signal', record);
    const a = await joined(t, tracker.url, 's');
    const b = await joined(t, tracker.url, 's');
    b.send({ type: 'signal', swarm: 's', to: a.peerId, data: OFFER });
    assert.deepEqual(await a.expect('signal'), { type: 'signal', swarm: 's', from: b.peerId, data: OFFER });
    b.send({ type: 'signal', swarm: 's', to: 'gone-peer', data: CANDIDATE });
    await b.roundTrip();
    assert.deepEqual(seen, [
      { swarm: 's', from: b.peerId, to: a.peerId, data: OFFER },
      { swarm: 's', from: b.peerId, to: 'gone-peer', data: CANDIDATE },
    ]);
    const errors = log.at('error');
    assert.equal(errors.length, 2, 'the throwing listener was logged each time');
    assert.equal(errors[0]?.msg, 'observer listener threw');
    const logged = errors.map((line) => (line.err as { message?: unknown } | undefined)?.message);
    assert.deepEqual(logged, ['listener bug', 'listener bug']);
    tracker.observer.off('signal', record);
    a.send({ type: 'signal', swarm: 's', to: b.peerId, data: CANDIDATE });
    await eventually(() => tracker.stats().signalsRelayed === 2, 'the last signal relayed');
    assert.equal(seen.length, 2);
  });
});
