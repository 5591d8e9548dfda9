/**
 * A page short of CPU: the engine measures how late its own timers fire and keeps that much more
 * time for HTTP (TimerLag, EngineConfig.timerLagHalfLifeMs).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineConfig } from '../src/config.ts';
import { TimerLag } from '../src/timer-lag.ts';
import { engineAndScripted } from './support/holder-pair.ts';
import { Testbed, sameBytes, type TestEngine } from './support/testbed.ts';
import { VirtualClock } from './support/virtual-clock.ts';

const CHUNK = 16_384;

void describe('TimerLag', () => {
  void test('keeps the highest lateness, halves it every half-life, and a smaller one does not lower it', () => {
    let nowMs = 0;
    const lag = new TimerLag(1_000, () => nowMs);
    assert.equal(lag.ms, 0);
    lag.sample(400);
    assert.equal(lag.ms, 400);
    lag.sample(100);
    assert.equal(lag.ms, 400);
    nowMs = 1_000;
    assert.equal(lag.ms, 200);
    nowMs = 3_000;
    assert.equal(lag.ms, 50);
    lag.sample(300);
    assert.equal(lag.ms, 300);
    lag.sample(Number.NaN);
    lag.sample(-5);
    assert.equal(lag.ms, 300);
  });

  void test('a measured clock reports how late its timers fire, and cleared timers never fire', async () => {
    const clock = new VirtualClock();
    const lag = new TimerLag(10_000, () => clock.now());
    const measured = lag.measuring(clock);
    let fired = 0;
    measured.setTimeout(() => { fired += 1; }, 100);
    const cleared = measured.setTimeout(() => { fired += 10; }, 50);
    measured.clearTimeout(cleared);
    await clock.advance(100);
    assert.equal(fired, 1);
    assert.equal(lag.ms, 0, 'on time');
    measured.setTimeout(() => { fired += 1; }, 100);
    // The event loop is held: the timer due in 100 ms runs 700 ms late.
    clock.freeze(800);
    await clock.advance(0);
    assert.equal(fired, 2);
    assert.equal(lag.ms, 700);
  });
});

/** How long until the next timer (the engine's: the scripted peer has none). */
function nextTimerInMs(bed: Testbed): number {
  const at = bed.clock.nextTimerAtMs();
  assert.ok(at !== undefined, 'the engine has a timer pending');
  return at - bed.clock.now();
}

void describe('engine: timers that fire late', () => {
  /** E connected to scripted H, which holds the segment and sends it all at once when asked. */
  async function setUp(seed: string, config: Partial<EngineConfig>): Promise<{ bed: Testbed; e: TestEngine; bytes: Uint8Array; asked: () => number }> {
    const { bed, e, link, bytes } = await engineAndScripted(seed, { rendition: 'v0', sn: 4 }, 100_000, config);
    let requests = 0;
    link.owner.onMessage = (msg, l) => {
      if (msg.type !== 'request') return;
      requests += 1;
      for (let off = 0; off < bytes.length; off += CHUNK) {
        l.send({ type: 'data', requestId: msg.requestId, offsetBytes: off, totalBytes: bytes.length, payload: bytes.subarray(off, off + CHUNK) });
      }
    };
    return { bed, e, bytes, asked: () => requests };
  }

  void test('after its event loop was held 900 ms, a segment due in 2.3 s comes over HTTP at once; unmeasured, from the holder', async () => {
    for (const [halfLifeMs, source] of [[5_000, 'http'], [0, 'p2p']] as const) {
      const { bed, e, bytes, asked } = await setUp(`timer-lag-${halfLifeMs}`, { timerLagHalfLifeMs: halfLifeMs });
      // The event loop is held until 900 ms past the engine's next timer, which then fires that late.
      bed.clock.freeze(nextTimerInMs(bed) + 900);
      await bed.clock.advance(0);
      const got = await bed.clock.settle(e.engine.loadSegment(bed.request({ rendition: 'v0', sn: 4 }, 2_300)));
      assert.ok(sameBytes(got.bytes, bytes));
      assert.equal(got.source, source, `timerLagHalfLifeMs ${halfLifeMs}`);
      assert.equal(e.engine.stats().timerLagMs > 800, halfLifeMs > 0, `lag ${e.engine.stats().timerLagMs} ms`);
      if (source === 'http') {
        // 2.3 s is less than minP2pSlackMs (2 s) plus the lag, and HTTP needs httpSafetyMs (1.5 s) plus the lag: no time to try the holder.
        assert.equal(asked(), 0);
        assert.equal(e.engine.stats().httpFetchReasons.slackHeld, 1);
      } else {
        assert.equal(asked(), 1);
        assert.equal(e.http.requestCount, 0);
      }
      bed.destroyAll();
    }
  });

  void test('the lag fades: 30 s after the held loop, the same segment comes from the holder again', async () => {
    const { bed, e, asked } = await setUp('timer-lag-fades', {});
    bed.clock.freeze(nextTimerInMs(bed) + 900);
    await bed.clock.advance(0);
    assert.ok(e.engine.stats().timerLagMs >= 900, `lag ${e.engine.stats().timerLagMs} ms`);
    await bed.clock.advance(30_000);
    assert.ok(e.engine.stats().timerLagMs < 20, `lag ${e.engine.stats().timerLagMs} ms`);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request({ rendition: 'v0', sn: 4 }, 2_300)));
    assert.equal(got.source, 'p2p');
    assert.equal(asked(), 1);
    bed.destroyAll();
  });
});
