import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeliveryDelay, clockMs32 } from '../src/delivery-delay.ts';
import { PACE_WINDOW_MS, UplinkPace } from '../src/uplink-pace.ts';

void describe('DeliveryDelay: queueing delay from RECEIPTs', () => {
  void test('delay above the least seen, whatever the offset between the clocks (wrapping included)', () => {
    for (const offsetMs of [0, 123_456, 0xffff_fff0, -5_000]) {
      const d = new DeliveryDelay();
      const at = (sentMs: number, oneWayMs: number): number => clockMs32(sentMs + oneWayMs + offsetMs);
      d.sent(1, 4096, 1_000);
      d.sent(1, 8192, 1_010);
      d.sent(1, 12_288, 1_020);
      assert.equal(d.receipt(1, 4096, at(1_000, 20), 1_050)?.queueDelayMs, 0, `offset ${offsetMs}: the first reading is the base`);
      assert.equal(d.receipt(1, 8192, at(1_010, 95), 1_150)?.queueDelayMs, 75, `offset ${offsetMs}`);
      assert.equal(d.receipt(1, 12_288, at(1_020, 20), 1_150)?.queueDelayMs, 0, `offset ${offsetMs}`);
    }
  });

  void test('a receipt for a chunk never sent, or read already, gives nothing', () => {
    const d = new DeliveryDelay();
    d.sent(3, 4096, 0);
    assert.equal(d.receipt(3, 5000, 10, 20), undefined, 'no chunk ends there');
    assert.equal(d.receipt(4, 4096, 10, 20), undefined, 'another request');
    assert.equal(d.receipt(3, 4096, 10, 20)?.queueDelayMs, 0);
    assert.equal(d.receipt(3, 4096, 10, 20), undefined, 'read already');
  });

  void test('the least delay is forgotten after two minutes: a path that got slower for good is the new base', () => {
    const d = new DeliveryDelay();
    d.sent(1, 1, 0);
    assert.equal(d.receipt(1, 1, 10, 10)?.queueDelayMs, 0);
    let q: number | undefined;
    for (let t = 1_000; t <= 130_000; t += 1_000) {
      d.sent(2, t, t);
      q = d.receipt(2, t, clockMs32(t + 60), t + 60)?.queueDelayMs;
    }
    assert.equal(q, 0, 'the old base of 10 ms no longer counts');
  });

  void test('memory stays bounded: old send times are forgotten', () => {
    const d = new DeliveryDelay();
    for (let i = 1; i <= 5_000; i++) d.sent(1, i, i);
    assert.equal(d.receipt(1, 1, 1, 5_000), undefined, 'the oldest was dropped');
    assert.equal(d.receipt(1, 5_000, 5_000, 5_000)?.queueDelayMs, 0);
  });

  void test('the delivery rate over the receipts of the last 300-1000 ms of a request, on the receiver clock', () => {
    const d = new DeliveryDelay();
    const rates: (number | undefined)[] = [];
    // 100 bytes/ms arriving, receipts every 150 ms; the receiver clock 2^32 - 500 ms ahead (it wraps).
    for (let t = 0; t <= 1_500; t += 150) {
      d.sent(7, t * 100 + 100, t);
      rates.push(d.receipt(7, t * 100 + 100, clockMs32(t + 0xffff_fe0c), t + 30)?.deliveredBytesPerMs);
    }
    assert.deepEqual(rates.slice(0, 2), [undefined, undefined], 'under 300 ms of receipts: no rate');
    for (const r of rates.slice(2)) assert.equal(r, 100);
    d.sent(8, 4096, 2_000);
    assert.equal(d.receipt(8, 4096, 2_000, 2_000)?.deliveredBytesPerMs, undefined, 'each request its own');
  });
});

/** Feeds one reading per 50 ms from `fromMs` for `forMs`, each with `delayMs`; returns the time after. */
function feed(pace: UplinkPace, fromMs: number, forMs: number, delayMs: number, uplink: number | undefined, held = false, delivered?: number): number {
  let t = fromMs;
  for (; t < fromMs + forMs; t += 50) {
    if (held) pace.paceHeld();
    pace.sample(t, delayMs, delivered, uplink);
  }
  return t;
}

void describe('UplinkPace: delay-based pace of the uploads', () => {
  const options = { targetMs: 100, minBytesPerMs: 8 };

  void test('no pace while the delay stays under the target', () => {
    const pace = new UplinkPace(options);
    feed(pace, 0, 5_000, 60, 90, true);
    assert.equal(pace.bytesPerMs, undefined);
  });

  void test('a queue above the target starts the pace from the measured uplink and brings it down', () => {
    const pace = new UplinkPace(options);
    const t = feed(pace, 0, PACE_WINDOW_MS + 50, 250, 90);
    const first = pace.bytesPerMs;
    assert.ok(first !== undefined && first < 90 && first >= 90 * 0.85, `first pace ${first}`);
    feed(pace, t, 3_000, 250, 90);
    const later = pace.bytesPerMs ?? Number.NaN;
    assert.ok(later < first, `${later} < ${first}`);
    assert.equal(later, 45, 'never below half the measured uplink');
  });

  void test('over the target, the pace goes to 0.9 of what the requesters received, a cut at most every 2 windows, never up', () => {
    const pace = new UplinkPace(options);
    let t = feed(pace, 0, PACE_WINDOW_MS + 50, 150, 100, false, 80);
    assert.equal(pace.bytesPerMs, 72, 'under the delivery rate, not the meter');
    t = feed(pace, t, PACE_WINDOW_MS + 50, 150, 100, false, 60);
    assert.equal(pace.bytesPerMs, 72, 'the next window waits: the receipts of bytes sent before the cut are still coming');
    t = feed(pace, t, PACE_WINDOW_MS, 150, 100, false, 100);
    assert.equal(pace.bytesPerMs, 72, 'a higher delivery rate while queueing does not raise it');
    t = feed(pace, t, 2 * PACE_WINDOW_MS, 150, 100, false, 10);
    assert.ok(Math.abs(pace.bytesPerMs - 72 * (1 - 0.15 * 0.5)) < 1e-9, `a delivery rate under half the pace (a relay, a stall) cuts by the delay alone (${pace.bytesPerMs})`);
    feed(pace, t, 20 * PACE_WINDOW_MS, 150, 100, false, 10);
    assert.equal(pace.bytesPerMs, 50, 'never under half the meter');
  });

  void test('with no measured uplink nor delivery rate, the first queue sets no pace', () => {
    const pace = new UplinkPace(options);
    feed(pace, 0, 1_000, 250, undefined);
    assert.equal(pace.bytesPerMs, undefined);
  });

  void test('a short queue lowers the pace less than a long one', () => {
    const short = new UplinkPace(options);
    const long = new UplinkPace(options);
    feed(short, 0, PACE_WINDOW_MS + 50, 120, 100);
    feed(long, 0, PACE_WINDOW_MS + 50, 400, 100);
    assert.ok((short.bytesPerMs ?? 0) > (long.bytesPerMs ?? 0), `${short.bytesPerMs} > ${long.bytesPerMs}`);
  });

  void test('the window reads its least delay: one late reading (a busy receiver) is not a queue', () => {
    const pace = new UplinkPace(options);
    for (let t = 0; t < 2_000; t += 50) pace.sample(t, t % 200 === 0 ? 500 : 30, undefined, 100);
    assert.equal(pace.bytesPerMs, undefined);
  });

  void test('under the target, the pace grows only while it holds uploads back', () => {
    const pace = new UplinkPace(options);
    let t = feed(pace, 0, PACE_WINDOW_MS + 50, 300, 100);
    const paced = pace.bytesPerMs ?? Number.NaN;
    t = feed(pace, t, 2_000, 10, 100, false);
    assert.equal(pace.bytesPerMs, paced, 'idle uploads: the pace stays');
    feed(pace, t, 2_000, 10, 100, true);
    assert.ok(pace.bytesPerMs > paced * 1.1 && pace.bytesPerMs < paced * 1.25, `held back: ${pace.bytesPerMs} from ${paced} (about 10 % a second)`);
  });

  void test('it settles near the link when the delay follows the pace', () => {
    // A link of 100 bytes/ms with a queue: the delay grows while the pace is above it, drains below.
    const pace = new UplinkPace({ targetMs: 100, minBytesPerMs: 1 });
    let queueBytes = 0;
    const linkBytesPerMs = 100;
    const rates: number[] = [];
    // The readings come back 300 ms late (the receipts' way back and their interval).
    const delays: number[] = [];
    let maxQueueMs = 0;
    for (let t = 0; t < 60_000; t += 50) {
      const rate = pace.bytesPerMs ?? 150;
      queueBytes = Math.max(0, queueBytes + (rate - linkBytesPerMs) * 50);
      const delivered = queueBytes > 0 ? linkBytesPerMs : rate;
      delays.push(queueBytes / linkBytesPerMs);
      pace.paceHeld();
      pace.sample(t, delays.at(-7) ?? 0, delivered, 60);
      if (t > 10_000) {
        rates.push(delivered);
        maxQueueMs = Math.max(maxQueueMs, queueBytes / linkBytesPerMs);
      }
    }
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    assert.ok(mean > 0.9 * linkBytesPerMs, `mean delivered ${mean.toFixed(1)} of ${linkBytesPerMs}`);
    assert.ok(maxQueueMs < 200, `queue up to ${maxQueueMs} ms`);
  });
});
