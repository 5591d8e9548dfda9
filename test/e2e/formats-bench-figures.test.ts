/**
 * bench:formats' options, figures and summary table (bench/lib/formats-*.ts), and the LL-HLS byte
 * check (test/e2e/harness/ll-hashes.ts). Pure functions, no browser: kept here because test/e2e is
 * the test group that covers bench/.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { SegmentRecord, ViewerReport } from '@swarmcast/web';
import { BENCH_TYPES, parseFormatsArgs, typeModes } from '../../bench/lib/formats-args.js';
import { runFigures, typeFigures } from '../../bench/lib/formats-figures.js';
import { formatsTable } from '../../bench/lib/formats-table.js';
import type { FormatRunResult } from './harness/formats-run.js';
import { fromPeersOnly, llRenditionBytes, partIndexOf } from './harness/ll-hashes.js';
import { OriginHashes } from './harness/origin-hashes.js';

function viewer(overrides: Partial<ViewerReport>): ViewerReport {
  return {
    p2p: true,
    startupMs: 500,
    playing: true,
    stalls: 0,
    stalledMs: 0,
    stallLog: [],
    watchMs: 10_000,
    liveLatencySec: null,
    currentLatencySec: null,
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

function run(reports: readonly ViewerReport[]): FormatRunResult {
  return {
    reports,
    check: { verified: 0, verifiedP2p: 0, mismatches: [], unavailable: [] },
    origin: { segmentBytes: 0, keyRequests: 0, forbidden: 0 },
    signalsRelayed: 0,
    wallMs: 1000,
  };
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const record = (rendition: string, sn: number, source: SegmentRecord['source'], bytes: Uint8Array): SegmentRecord => ({ rendition, sn, source, bytes: bytes.length, sha256: sha(bytes), atMs: 0, loadMs: 0 });

void test('parseFormatsArgs: every type of issue #7 by default, each in the modes it applies to', () => {
  const args = parseFormatsArgs([]);
  assert.deepEqual(args.types, ['ts-abr', 'fmp4', 'byterange', 'aes128', 'discontinuity', 'tokens', 'll-hls', 'dash', 'shaka-hls']);
  assert.deepEqual(args.types, BENCH_TYPES);
  assert.deepEqual(args.modes, ['live', 'vod']);
  assert.deepEqual(typeModes('ll-hls', args.modes), ['live']);
  assert.deepEqual(typeModes('dash', args.modes), ['vod']);
  assert.deepEqual(typeModes('shaka-hls', args.modes), ['live', 'vod']);
  assert.deepEqual(typeModes('fmp4', ['vod']), ['vod']);
  assert.deepEqual(parseFormatsArgs(['--types', 'll-hls,dash']).types, ['ll-hls', 'dash']);
  // A type with no mode left is dropped; nothing left at all is an error.
  assert.deepEqual(parseFormatsArgs(['--types', 'll-hls,dash', '--modes', 'vod']).types, ['dash']);
  assert.throws(() => parseFormatsArgs(['--types', 'll-hls', '--modes', 'vod']), /Invalid args: --types ll-hls has nothing to run in --modes vod/);
  assert.throws(() => parseFormatsArgs(['--types', 'll-hls,hds']), /Invalid args: --types takes a comma-separated list of .*ll-hls, dash, shaka-hls, got ll-hls,hds/);
  assert.throws(() => parseFormatsArgs(['--viewers', '0']), /--viewers must be a positive integer/);
});

void test('runFigures: mean live latency over the viewers that measured one, null in VOD', () => {
  const live = runFigures(run([viewer({ liveLatencySec: 2 }), viewer({ liveLatencySec: 3.5 }), viewer({ liveLatencySec: null, startupMs: null })]));
  assert.equal(live.liveLatencySecMean, 2.75);
  assert.equal(live.played, false, 'a viewer never started');
  assert.equal(runFigures(run([viewer({})])).liveLatencySecMean, null);
});

void test('typeFigures: latency of the live mode, its baseline and the difference', () => {
  const swarm = runFigures(run([viewer({ liveLatencySec: 2.4, p2pBytes: 100, httpBytes: 300 })]));
  const plain = runFigures(run([viewer({ p2p: false, liveLatencySec: 2.1 })]));
  const t = typeFigures({ live: swarm }, { live: plain });
  assert.equal(t.liveLatencySec, 2.4);
  assert.equal(t.baselineLiveLatencySec, 2.1);
  assert.equal(t.latencyDeltaSec, 0.3);
  assert.equal(t.p2pShare, 0.25);
  assert.equal(t.mismatchedSegments, 0);
  const vodOnly = typeFigures({ vod: runFigures(run([viewer({})])) }, null);
  assert.deepEqual([vodOnly.liveLatencySec, vodOnly.baselineLiveLatencySec, vodOnly.latencyDeltaSec, vodOnly.baseline], [null, null, null, null]);
  assert.equal(typeFigures({ live: swarm }, null).latencyDeltaSec, null, 'no baseline, no difference');
});

void test('formatsTable: one row per type and mode, live latency against the baseline', () => {
  const swarm = runFigures(run([viewer({ liveLatencySec: 2.4 })]));
  const plain = runFigures(run([viewer({ p2p: false, liveLatencySec: 2.1 })]));
  const table = formatsTable({ 'll-hls': typeFigures({ live: swarm }, { live: plain }), dash: typeFigures({ vod: runFigures(run([viewer({})])) }, null) });
  const lines = table.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0] ?? '', /latency s \/ baseline/);
  assert.match(lines[2] ?? '', /^ll-hls\s+live\s+yes\b.*2\.40 \/ 2\.10/);
  assert.match(lines[3] ?? '', /^dash\s+vod\s+yes\b/);
});

void test('LL-HLS check: a part is compared with the origin part, a segment with the segment, peers only', async () => {
  const segment = new Uint8Array([1, 2, 3, 4, 5, 6]);
  const parts = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6])];
  const origin = {
    segmentBytes: (msn: number) => (msn === 7 ? segment : undefined),
    partBytes: (msn: number, part: number) => (msn === 7 || msn === 8 ? parts[part] : undefined),
  };
  assert.equal(partIndexOf('r1abc.p2'), 2);
  assert.equal(partIndexOf('r1abc.p12'), 12);
  assert.equal(partIndexOf('r1abc'), undefined);
  const reports = [
    {
      segments: [
        record('r1abc', 7, 'p2p', segment),
        record('r1abc.p0', 7, 'p2p', parts[0] ?? new Uint8Array()),
        record('r1abc.p1', 8, 'p2p', parts[1] ?? new Uint8Array()),
        // A part's bytes under a whole segment's name, and the other part's under p0: both wrong.
        record('r1abc', 7, 'p2p', parts[0] ?? new Uint8Array()),
        record('r1abc.p0', 8, 'p2p', parts[1] ?? new Uint8Array()),
        // Gone from the origin's window: not checkable.
        record('r1abc', 3, 'p2p', segment),
        // From HTTP: not the LL check's business (plain hls.js names parts like segments).
        record('0', 8, 'http', parts[0] ?? new Uint8Array()),
      ],
    },
  ];
  const hashes = new OriginHashes(llRenditionBytes(origin));
  const peers = fromPeersOnly(reports);
  await hashes.add(peers.flatMap((r) => r.segments));
  const check = hashes.check(peers);
  assert.equal(check.verified, 3);
  assert.equal(check.verifiedP2p, 3);
  assert.equal(check.mismatches.length, 2);
  assert.match(check.mismatches[0] ?? '', /rendition=r1abc sn=7 source=p2p/);
  assert.match(check.mismatches[1] ?? '', /rendition=r1abc\.p0 sn=8 source=p2p/);
  assert.equal(check.unavailable.length, 1);
});
