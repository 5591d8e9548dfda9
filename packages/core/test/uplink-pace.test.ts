/**
 * UplinkPace: uploads paced a little under the measured uplink, creeping up while the pace holds
 * them back and the channels keep up, and starting again under each new measurement.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UplinkPace } from '../src/uplink-pace.ts';
import { UploadPacer } from '../src/upload-pacer.ts';

const near = (actual: number | undefined, expected: number): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${String(actual)} != ${String(expected)}`);
};

void describe('UplinkPace', () => {
  void test('no pace before the uplink is measured; a measurement sets it at 90 %', () => {
    const pace = new UplinkPace();
    assert.equal(pace.update(0, undefined, () => true), undefined);
    near(pace.update(100, { bytesPerMs: 100, atMs: 50 }, () => true), 90);
  });

  void test('grows 4 % per 250 ms only while it holds uploads back, the channels keep up, and 1 s after the measurement', () => {
    const pace = new UplinkPace();
    const m = { bytesPerMs: 100, atMs: 0 };
    near(pace.update(0, m, () => true), 90);
    pace.waited();
    near(pace.update(500, m, () => true), 90); // within the hold after the measurement
    near(pace.update(1_000, m, () => true), 93.6);
    near(pace.update(1_100, m, () => true), 93.6); // no wait since: the uploads want no more
    pace.waited();
    near(pace.update(1_200, m, () => true), 93.6); // under 250 ms since it grew
    near(pace.update(1_250, m, () => false), 93.6); // the channels back up: the link may be full
    near(pace.update(1_300, m, () => true), 93.6 * 1.04);
  });

  void test('a new measurement starts it again under the link, whatever it had grown to', () => {
    const pace = new UplinkPace();
    let now = 0;
    near(pace.update(now, { bytesPerMs: 100, atMs: 0 }, () => true), 90);
    for (now = 1_000; now <= 5_000; now += 250) {
      pace.waited();
      pace.update(now, { bytesPerMs: 100, atMs: 0 }, () => true);
    }
    const grown = pace.update(now, { bytesPerMs: 100, atMs: 0 }, () => true) ?? 0;
    assert.ok(grown > 150, `grew to ${String(grown)}`);
    near(pace.update(now + 1, { bytesPerMs: 80, atMs: now }, () => true), 72);
  });
});

void describe('UploadPacer.setRate', () => {
  void test('a new rate applies from now on; the bucket keeps its tokens within the new burst', () => {
    const pacer = new UploadPacer(0, 0);
    pacer.setRate(0, 10_000, 5_000); // 10 bytes/ms, starts full
    assert.equal(pacer.take(0, 5_000), 0);
    assert.equal(pacer.take(0, 1_000), 100, '1 000 bytes at 10 bytes/ms');
    pacer.setRate(0, 1_000, 2_000); // 1 byte/ms
    assert.equal(pacer.take(0, 1_000), 1_000);
    pacer.setRate(1_000, 0, 0);
    assert.equal(pacer.take(1_000, 1e9), 0, 'no cap: never waits');
  });
});
