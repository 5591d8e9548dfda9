/** The figures of bench:outage (bench/lib/outage-figures.ts) and origin egress per segment (bench/lib/stats.ts) and bench:churn's schedule. No browser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrackerEvent, ViewerReport } from '@swarmcast/web';
import { planPeriodicChurn } from '../../bench/lib/churn.js';
import { originEgressPerSegment } from '../../bench/lib/stats.js';
import { outageFigures } from '../../bench/lib/outage-figures.js';

function viewer(overrides: Partial<ViewerReport>): ViewerReport {
  return {
    p2p: true, startupMs: 500, playing: true, stalls: 0, stalledMs: 0, stallLog: [], watchMs: 10_000, liveLatencySec: 6, currentLatencySec: 6,
    httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, controlBytes: 0, peers: 2, peerId: null, disconnects: [], trackerEvents: [], pathEvents: [],
    links: { interruptions: 0, recoveries: 0, restarts: 0, interruptedClosed: 0 },
    integrity: { segmentsVerified: 0, integrityFailures: 0, peerViolations: 0, hashMs: 0, segmentsHashed: 0, signatureMs: 0, signaturesChecked: 0 },
    hlsErrors: [], hlsFatalErrors: [], segments: [],
    ...overrides,
  };
}

const ev = (kind: TrackerEvent['kind'], atMs: number): TrackerEvent => ({ kind, atMs });

test('outage figures: re-join after the restart, reconnect delays and their spread, bytes during the outage', () => {
  const times = { killAtMs: 100_000, restartAtMs: 160_000 };
  const a = viewer({ trackerEvents: [ev('connected', 1_000), ev('disconnected', 100_050), ev('disconnected', 100_850), ev('disconnected', 102_350), ev('connected', 165_000)], p2pBytes: 900, httpBytes: 50, stalls: 1 });
  const b = viewer({ trackerEvents: [ev('connected', 2_000), ev('disconnected', 100_040), ev('disconnected', 100_640)] });
  const atStart = [viewer({ p2pBytes: 40, httpBytes: 10 }), viewer({})];
  const atKill = [viewer({ p2pBytes: 100, httpBytes: 10 }), viewer({ httpBytes: 20 })];
  const atRestart = [viewer({ p2pBytes: 700, httpBytes: 40, stalls: 1, peers: 3 }), viewer({ p2pBytes: 200, httpBytes: 20, peers: 1 })];
  const f = outageFigures(times, atStart, atKill, atRestart, [a, b]);
  assert.deepEqual(f.rejoinSecPerViewer, [5, null]);
  assert.deepEqual(f.rejoinSec, { mean: 5, max: 5 });
  assert.equal(f.notRejoined, 1);
  assert.deepEqual(f.reconnectDelaysSec, [[0.8, 1.5, 62.65], [0.6]]);
  assert.deepEqual(f.reconnectDelaySpreadSec[0], { attempt: 1, min: 0.6, max: 0.8, viewers: 2 });
  assert.equal(f.p2pBytesDuringOutage, 600 + 200);
  assert.equal(f.httpBytesDuringOutage, 30);
  assert.equal(f.p2pShareDuringOutage, 0.964);
  assert.equal(f.p2pShareBeforeOutage, 0.75);
  assert.equal(f.stallsDuringOutage, 1);
  assert.equal(f.peersAtRestart, 2);
});

test('origin egress per segment counts each distinct segment once', () => {
  const seg = (sn: number, bytes: number): ViewerReport['segments'][number] => ({ rendition: '0', sn, source: 'p2p', bytes, sha256: '', atMs: 0, loadMs: 0 });
  const reports = [viewer({ segments: [seg(1, 100), seg(2, 100)] }), viewer({ segments: [seg(2, 100), seg(3, 200)] })];
  assert.equal(originEgressPerSegment(400, reports), 1);
  assert.equal(originEgressPerSegment(1600, reports), 4);
  assert.equal(originEgressPerSegment(100, []), null);
});

test('periodic churn: round(viewers x share) slots every interval, in turn, times on each slot\'s own clock', () => {
  const events = planPeriodicChurn(8, 180_000, 30_000, 1 / 3, (slot) => slot * 1000, () => 0.5);
  assert.equal(events.length, 5 * 3);
  assert.deepEqual(events.slice(0, 4).map((e) => e.slot), [0, 1, 2, 3]);
  assert.equal(events[1]?.leaveAfterMs, 30_000 - 1000);
  assert.equal(events[3]?.leaveAfterMs, 60_000 - 3000);
  assert.ok(events.every((e) => e.rejoinDelayMs === 1000));
});
