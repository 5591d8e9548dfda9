/**
 * The figures of the hostile-peer runs (test/e2e/harness/hostile-figures.ts): pairing the hostile
 * page's log with the viewers' disconnects, and what the viewers played in a window; and the
 * options of bench:hostile. No browser.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SegmentRecord, ViewerReport } from '@swarmcast/web';
import { parseHostileBenchArgs } from '../../bench/lib/hostile-args.js';
import { maxCutOffMs, verificationFigures, victimOutcomes, windowFigures } from './harness/hostile-figures.js';
import type { HostileReport, VictimLog } from './hostile/hostile-report.js';

function viewer(overrides: Partial<ViewerReport>): ViewerReport {
  return {
    p2p: true,
    startupMs: 500,
    playing: true,
    stalls: 0,
    stalledMs: 0,
    stallLog: [],
    watchMs: 10_000,
    liveLatencySec: 6,
    currentLatencySec: 6,
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    controlBytes: 0,
    peers: 2,
    peerId: null,
    disconnects: [],
    trackerEvents: [],
    pathEvents: [],
    links: { interruptions: 0, recoveries: 0, restarts: 0, interruptedClosed: 0 },
    integrity: { segmentsVerified: 0, integrityFailures: 0, peerViolations: 0, hashMs: 0, segmentsHashed: 0, signatureMs: 0, signaturesChecked: 0 },
    hlsErrors: [],
    hlsFatalErrors: [],
    segments: [],
    ...overrides,
  };
}

function log(overrides: Partial<VictimLog>): VictimLog {
  return {
    identity: 'H1',
    victim: 'A',
    variant: 'corrupt',
    openedAtMs: 1_000,
    firstBadAtMs: null,
    firstBad: null,
    requests: 0,
    badSent: 0,
    closedAtMs: null,
    closeReason: null,
    ...overrides,
  };
}

function hostile(victims: VictimLog[]): HostileReport {
  return { attack: 'corrupt', identities: ['H1'], victims, segmentsSeen: 10, done: false, errors: [] };
}

const seg = (sn: number, source: 'http' | 'p2p', sha256: string, bytes = 100): SegmentRecord => ({ rendition: 'r', sn, source, bytes, sha256, atMs: 0, loadMs: 0 });

void test('victimOutcomes: pairs each attacked connection with the viewer cut-off of that identity', () => {
  const viewers = [
    viewer({ peerId: 'A', disconnects: [{ peerId: 'H1', reason: 'integrity violation: bytes of r/3 do not match the signed record', atMs: 5_020 }] }),
    // B dropped H1 only when the page closed: not a cut-off.
    viewer({ peerId: 'B', disconnects: [{ peerId: 'H1', reason: 'link closed: data channel closed', atMs: 9_000 }] }),
    viewer({ peerId: 'C' }),
  ];
  const outcomes = victimOutcomes(
    hostile([
      log({ victim: 'A', firstBadAtMs: 5_000, firstBad: 'x' }),
      log({ victim: 'B', firstBadAtMs: 6_000, firstBad: 'y' }),
      log({ victim: 'C' }),
      log({ victim: 'Z', firstBadAtMs: 1 }),
    ]),
    viewers,
  );
  assert.deepEqual(
    outcomes.map((o) => [o.viewer, o.cutOffMs, o.cutOffReason !== null]),
    [
      [0, 20, true],
      [1, null, false],
      [2, null, false],
      [null, null, false],
    ],
  );
  assert.equal(maxCutOffMs(outcomes), Number.POSITIVE_INFINITY, 'an attacked viewer that never cut off counts as infinitely late');
  assert.equal(maxCutOffMs(outcomes.slice(0, 1)), 20);
  assert.equal(maxCutOffMs(outcomes.slice(2, 3)), null, 'nobody attacked');
});

void test('windowFigures: only the segments played in the window, checked against the origin', () => {
  const before = [viewer({ segments: [seg(1, 'http', 'h1')], stalledMs: 100, watchMs: 1_000, stalls: 1 })];
  const after = [
    viewer({
      segments: [seg(1, 'http', 'h1'), seg(2, 'p2p', 'h2', 300), seg(3, 'p2p', 'BAD'), seg(4, 'http', 'h4')],
      stalledMs: 600,
      watchMs: 11_000,
      stalls: 2,
    }),
  ];
  const origin = new Map<number, string | null>([[1, 'h1'], [2, 'h2'], [3, 'h3'], [4, null]]);
  const w = windowFigures(before, after, (sn) => origin.get(sn));
  assert.equal(w.segments, 3);
  assert.equal(w.badSegmentsPlayed, 1);
  assert.equal(w.uncheckedSegments, 1);
  assert.equal(w.stalls, 1);
  assert.deepEqual(w.honestStallRatio, { mean: 500 / 10_000, max: 500 / 10_000 });
  assert.equal(w.honestP2pShare, 400 / 500);
  assert.deepEqual(w.p2pSegmentBytes, [400]);
  const empty = windowFigures([], [], () => undefined);
  assert.deepEqual(empty.honestStallRatio, { mean: null, max: null });
  assert.equal(empty.honestP2pShare, 0);
});

void test('verificationFigures: mean hash time per segment + mean signature time per record, as a share of 2 s', () => {
  const integrity = (hashMs: number, segmentsHashed: number, signatureMs: number, signaturesChecked: number): ViewerReport['integrity'] => ({
    segmentsVerified: segmentsHashed,
    integrityFailures: 0,
    peerViolations: 0,
    hashMs,
    segmentsHashed,
    signatureMs,
    signaturesChecked,
  });
  const v = verificationFigures([viewer({ integrity: integrity(10, 10, 4, 20) }), viewer({ integrity: integrity(30, 10, 12, 20) }), viewer({})]);
  assert.equal(v.hashMsPerSegment, 2);
  assert.equal(v.signatureMsPerRecord, 0.4);
  assert.equal(v.msPerSegment, 2.4);
  assert.equal(v.corePercentAt2sSegments, 0.12);
  assert.equal(v.segmentsHashed, 20);
  assert.equal(verificationFigures([viewer({})]).msPerSegment, null);
});

void test('parseHostileBenchArgs: reads the options and rejects bad values clearly', () => {
  assert.deepEqual(parseHostileBenchArgs(['--viewers', '4', '--duration', '45', '--json', 'out.json']), {
    viewers: 4,
    durationSec: 45,
    jsonFile: 'out.json',
    verbose: false,
  });
  const defaults = parseHostileBenchArgs([], new Date('2025-01-02T03:04:05.678Z'));
  assert.deepEqual(defaults, { viewers: 3, durationSec: 60, jsonFile: '.bench-out/hostile-2025-01-02T03-04-05-678Z.json', verbose: false });
  assert.throws(() => parseHostileBenchArgs(['--viewers', '1']), /Invalid args: --viewers must be an integer from 2 to 12/);
  assert.throws(() => parseHostileBenchArgs(['--viewers', '2.5']), /--viewers must be an integer/);
  assert.throws(() => parseHostileBenchArgs(['--duration', '10']), /--duration must be a number of seconds >= 20/);
  assert.throws(() => parseHostileBenchArgs(['--bogus']), /Unknown option/);
});
