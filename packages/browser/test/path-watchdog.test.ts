/**
 * The broken-path state machine shared by the browser and Node connectors (on a fake clock), and the
 * SDP test that tells an ICE restart offer from an offer for a new connection.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSameSession, PathWatchdog, resolveRtcConnectorConfig, sdpFingerprint, sdpSessionId, type PathRole } from '../src/index.ts';

/** Timers that fire only when the test advances time. */
class FakeClock {
  nowMs = 0;
  private next = 1;
  private readonly timers = new Map<number, { atMs: number; fn: () => void }>();

  readonly setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.next++;
    this.timers.set(id, { atMs: this.nowMs + ms, fn });
    return id;
  };

  readonly clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  get pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      let due: [number, { atMs: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].atMs <= end && (due === undefined || entry[1].atMs < due[1].atMs)) due = entry;
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.nowMs = due[1].atMs;
      due[1].fn();
    }
    this.nowMs = end;
  }
}

function watchdog(role: PathRole): { clock: FakeClock; dog: PathWatchdog; log: string[] } {
  const clock = new FakeClock();
  const log: string[] = [];
  const dog = new PathWatchdog({ graceMs: 2_000, restartTimeoutMs: 8_000, role }, clock, {
    interrupted: () => log.push(`interrupted@${clock.nowMs}`),
    resumed: (restarted) => log.push(`${restarted ? 'restarted' : 'resumed'}@${clock.nowMs}`),
    restart: () => log.push(`restart@${clock.nowMs}`),
    giveUp: (reason) => log.push(`giveUp@${clock.nowMs}: ${reason}`),
  });
  return { clock, dog, log };
}

void describe('PathWatchdog', () => {
  void test('back within the grace period: interrupted at once, resumed without a restart', () => {
    const { clock, dog, log } = watchdog('restart');
    dog.pathDown(false);
    assert.equal(dog.down, true);
    clock.advance(1_500);
    dog.pathUp();
    clock.advance(20_000);
    assert.deepEqual(log, ['interrupted@0', 'resumed@1500']);
    assert.equal(clock.pending, 0);
  });

  void test('the offerer restarts ICE after the grace period; back before the timeout counts as restarted', () => {
    const { clock, dog, log } = watchdog('restart');
    clock.advance(100);
    dog.pathDown(false);
    dog.pathDown(false);
    clock.advance(2_000);
    // ICE goes checking and may fail again meanwhile: the restart timeout bounds it, no second restart.
    dog.pathDown(true);
    clock.advance(3_000);
    dog.pathUp();
    assert.deepEqual(log, ['interrupted@100', 'restart@2100', 'restarted@5100']);
    assert.equal(clock.pending, 0);
  });

  void test('a restart that does not connect in time gives up', () => {
    const { clock, dog, log } = watchdog('restart');
    dog.pathDown(false);
    clock.advance(30_000);
    assert.deepEqual(log, ['interrupted@0', 'restart@2000', 'giveUp@10000: ice restart timed out']);
    assert.equal(dog.down, false);
    dog.pathUp();
    dog.pathDown(false);
    assert.equal(log.length, 3, 'nothing after giving up');
  });

  void test("'failed' skips the grace period", () => {
    const { clock, dog, log } = watchdog('restart');
    dog.pathDown(false);
    clock.advance(500);
    dog.pathDown(true);
    assert.deepEqual(log, ['interrupted@0', 'restart@500']);
    dog.destroy();
    assert.equal(clock.pending, 0);
  });

  void test('the answerer waits for the offerer: its restart offer counts, no restart of its own', () => {
    const { clock, dog, log } = watchdog('await');
    dog.pathDown(false);
    clock.advance(3_000);
    dog.remoteRestarted();
    clock.advance(500);
    dog.pathUp();
    assert.deepEqual(log, ['interrupted@0', 'restarted@3500']);
    const other = watchdog('await');
    other.dog.pathDown(false);
    other.clock.advance(30_000);
    assert.deepEqual(other.log, ['interrupted@0', 'giveUp@10000: ice disconnected, no restart from the offerer']);
  });

  void test("role 'none' (node-datachannel) gives up at the end of the grace period", () => {
    const { clock, dog, log } = watchdog('none');
    dog.pathDown(false);
    clock.advance(30_000);
    assert.deepEqual(log, ['interrupted@0', 'giveUp@2000: ice disconnected (no ICE restart on this side)']);
    const failed = watchdog('none');
    failed.dog.pathDown(true);
    assert.deepEqual(failed.log, ['interrupted@0', 'giveUp@0: ice disconnected (no ICE restart on this side)']);
  });

  void test('destroy() stops every timer: no action after it', () => {
    const { clock, dog, log } = watchdog('restart');
    dog.pathDown(false);
    dog.destroy();
    dog.destroy();
    clock.advance(30_000);
    assert.deepEqual(log, ['interrupted@0']);
  });
});

const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:aaaaaaaaaaaaaaaaaaaaaaaa',
  'a=fingerprint:sha-256 AB:CD:EF:01',
  'a=setup:actpass',
  '',
].join('\r\n');

void describe('isSameSession', () => {
  void test('an ICE restart keeps the session id and the fingerprint; a new connection changes them', () => {
    assert.equal(sdpSessionId(OFFER), '4611731400430051336');
    assert.equal(sdpFingerprint(OFFER), 'sha-256 ab:cd:ef:01');
    const restart = OFFER.replace(' 2 IN IP4', ' 3 IN IP4').replace('ice-ufrag:abcd', 'ice-ufrag:efgh');
    assert.equal(isSameSession(OFFER, restart), true);
    assert.equal(isSameSession(OFFER, OFFER.replace('4611731400430051336', '99')), false, 'new session id');
    assert.equal(isSameSession(OFFER, OFFER.replace('AB:CD:EF:01', '01:02:03:04')), false, 'new certificate');
    assert.equal(isSameSession('', OFFER), false);
    assert.equal(isSameSession(OFFER, 'not sdp'), false);
  });
});

void describe('iceDisconnectGraceMs / iceRestartTimeoutMs', () => {
  void test('defaults, and clear errors for bad values', () => {
    const c = resolveRtcConnectorConfig();
    assert.deepEqual([c.iceDisconnectGraceMs, c.iceRestartTimeoutMs], [2_000, 8_000]);
    assert.throws(() => resolveRtcConnectorConfig({ iceDisconnectGraceMs: -1 }), /^Error: Invalid Swarmcast config: iceDisconnectGraceMs must be an integer number of ms from 0 to 60000, got -1$/);
    assert.throws(() => resolveRtcConnectorConfig({ iceRestartTimeoutMs: 1.5 }), /iceRestartTimeoutMs must be an integer/);
    assert.throws(() => resolveRtcConnectorConfig({ iceRestartTimeoutMs: '5' as unknown as number }), /got "5"/);
  });
});
