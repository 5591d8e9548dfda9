/** The uplink measure that upload admission trusts: what left while the channels held a backlog. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UploadMeter } from '../src/upload-meter.ts';

/** Queues `bytes` at `atMs` on a link draining `bytesPerMs` from then on, sampling every `everyMs` until it is empty. */
function drain(meter: UploadMeter, atMs: number, bytes: number, bytesPerMs: number, everyMs: number): number {
  meter.enqueued(bytes);
  let t = atMs;
  meter.sample(t, bytes);
  for (;;) {
    t += everyMs;
    const left = Math.max(0, bytes - (t - atMs) * bytesPerMs);
    if (left === 0) return t;
    meter.sample(t, left);
  }
}

void describe('UploadMeter', () => {
  void test('a sustained backlog measures the rate it drains at', () => {
    const meter = new UploadMeter();
    drain(meter, 0, 1_000_000, 100, 250);
    assert.ok(Math.abs((meter.bytesPerMs ?? 0) - 100) < 1, `got ${meter.bytesPerMs}`);
  });

  void test('an idle gap between two backlogs is not taken for a slow uplink', () => {
    const meter = new UploadMeter();
    const end = drain(meter, 0, 100_000, 100, 250);
    // The last sample of the first backlog still saw bytes; the link then emptied and stayed idle
    // for 5 s until the next upload queued its first chunks.
    drain(meter, end + 5_000, 64_000, 100, 250);
    assert.ok((meter.bytesPerMs ?? 0) > 90, `rate ${meter.bytesPerMs} bytes/ms after an idle gap (uplink 100)`);
  });

  void test('an interval where nothing left is a stall, not a rate of zero', () => {
    const meter = new UploadMeter();
    drain(meter, 0, 100_000, 100, 250);
    assert.equal(meter.measuredWithin(1_000, 500), true);
    // A new backlog that does not move for 750 ms (loss recovery), then drains at the usual rate.
    meter.enqueued(50_000);
    meter.sample(2_000, 50_000);
    meter.sample(2_250, 50_000);
    meter.sample(2_500, 50_000);
    meter.sample(2_750, 50_000);
    assert.ok(Math.abs((meter.bytesPerMs ?? 0) - 100) < 1, `rate ${meter.bytesPerMs} bytes/ms after a stall (uplink 100)`);
    assert.equal(meter.measuredWithin(2_750, 1_000), false, 'the stall measured nothing');
    meter.sample(3_000, 25_000);
    assert.equal(meter.measuredWithin(3_000, 0), true);
  });

  void test('the burst an idle transport takes into its window is not read as the uplink', () => {
    const meter = new UploadMeter();
    // Segments of 100 kB, one a second apart, on a 90 bytes/ms link behind a 25 kB congestion window:
    // each backlog's first 25 kB leave at once, the rest at the link's rate.
    for (let k = 0; k < 10; k++) {
      const atMs = k * 2_000;
      const bytes = 100_000;
      meter.enqueued(bytes);
      meter.sample(atMs, bytes);
      for (let t = atMs + 250; ; t += 250) {
        const left = Math.max(0, bytes - 25_000 - (t - atMs) * 90);
        meter.sample(t, left);
        if (left === 0) break;
      }
    }
    const rate = meter.bytesPerMs ?? 0;
    assert.ok(rate > 80 && rate < 100, `rate ${rate} bytes/ms (uplink 90)`);
  });

  void test('a turn that opens another channel bursts too, though the backlog over all channels never ended', () => {
    const meter = new UploadMeter();
    // Uploads of 100 kB to different peers back to back on a 90 bytes/ms link: each is queued while
    // the previous channel still holds 5 kB, and its channel's transport takes 25 kB at once.
    let t = 0;
    let buffered = 0;
    for (let k = 0; k < 10; k++) {
      meter.enqueued(100_000);
      buffered += 100_000;
      meter.sample(t, buffered);
      meter.channelOpened();
      buffered -= 25_000;
      while (buffered > 5_000) {
        t += 50;
        buffered -= 50 * 90;
        meter.sample(t, buffered);
      }
    }
    const rate = meter.bytesPerMs ?? 0;
    assert.ok(rate > 80 && rate < 100, `rate ${rate} bytes/ms (uplink 90)`);
  });

  void test('nothing measured while the channels never stay backlogged', () => {
    const meter = new UploadMeter();
    meter.enqueued(1000);
    meter.sample(0, 0);
    meter.sample(300, 0);
    assert.equal(meter.bytesPerMs, undefined);
    assert.equal(meter.measuredWithin(300, 1_000), false);
  });
});

void describe('UploadMeter provisional rate (unmeasured uplink)', () => {
  void test('a lower bound from the present backlog once it is old enough; none for a young one or none at all', () => {
    const meter = new UploadMeter();
    assert.equal(meter.provisionalBytesPerMs(0, 0, 20), undefined);
    meter.enqueued(100_000);
    meter.sample(0, 100_000);
    assert.equal(meter.provisionalBytesPerMs(10, 100_000, 20), undefined, 'too young to say');
    // A slow uplink: 2,500 bytes left in 100 ms.
    assert.equal(meter.provisionalBytesPerMs(100, 97_500, 20), 25);
    assert.equal(meter.bytesPerMs, undefined, 'not a measurement');
    meter.sample(150, 0);
    assert.equal(meter.provisionalBytesPerMs(200, 0, 20), undefined, 'the backlog cleared');
  });

  void test('a backlog that began after an idle gap is timed from its own start', () => {
    const meter = new UploadMeter();
    meter.enqueued(10_000);
    meter.sample(0, 10_000);
    // No sample saw it clear; 5 s later a new upload queues its first bytes.
    meter.enqueued(10_000);
    meter.sample(5_000, 10_000);
    assert.equal(meter.provisionalBytesPerMs(5_050, 5_000, 20), 100);
  });
});

void describe('UploadMeter.wantsBackloggedSample', () => {
  void test('only when a rate interval is due or no usable backlog start is known', () => {
    const meter = new UploadMeter();
    assert.equal(meter.wantsBackloggedSample(0), true, 'never sampled');
    meter.enqueued(10_000);
    meter.sample(0, 10_000);
    assert.equal(meter.wantsBackloggedSample(100), false, 'backlog known, interval not due');
    assert.equal(meter.wantsBackloggedSample(250), true, 'interval due');
    meter.sample(250, 0);
    assert.equal(meter.wantsBackloggedSample(300), true, 'no backlog known: a new one starts here');
  });
});
