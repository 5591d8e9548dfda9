/**
 * The checks every P2P e2e run makes, shared by the live and VOD tests: everyone played without a
 * stall (but those a freeze of the whole machine caused, when the test watched for them), every
 * late joiner got bytes from peers, every peer byte matches the origin's, the tracker relayed
 * signaling, no fatal hls.js error.
 */
import assert from 'node:assert/strict';
import type { ViewerReport } from '@swarmcast/web';
import type { MachineFreezes } from './machine-freezes.js';
import type { SegmentCheck } from './origin-hashes.js';
import { describeStalls } from './stall-report.js';

/** One line per viewer, for the test log. */
export function describeReports(reports: readonly ViewerReport[]): string {
  return reports
    .map((r, i) => {
      const p2pSegments = r.segments.filter((s) => s.source === 'p2p').length;
      return (
        `viewer#${i}: startup=${r.startupMs ?? 'never'}ms stalls=${r.stalls} (${r.stalledMs}ms) ` +
        `http=${r.httpBytes}B p2p=${r.p2pBytes}B up=${r.uploadedBytes}B ctrl=${r.controlBytes}B peers=${r.peers} ` +
        `segments=${r.segments.length} (${p2pSegments} p2p) latency=${r.liveLatencySec?.toFixed(2) ?? '-'}s ` +
        `silencesExcused=${JSON.stringify(r.silencesExcused ?? null)} lateSplits=${JSON.stringify(r.lateSplits ?? null)} uplink=${r.uplinkBytesPerSec ?? '-'}B/s pace=${r.uploadPaceBytesPerSec ?? '-'}B/s lag=${r.timerLagMs ?? '-'}ms ` +
        `errors=[${r.hlsErrors.join(', ')}]`
      );
    })
    .join('\n');
}

/** What assertSwarmPlayedWell may be told beyond the reports. */
export interface SwarmPlayOptions {
  /**
   * Every viewer that joined after the first got bytes from peers (default true). Off where who
   * serves whom is the scheduler's choice: in a swarm of two, the one that fetches from the CDN is
   * the one whose announced uplink weighs more, and that may be the later one.
   */
  readonly lateJoinersFromPeers?: boolean;
  /**
   * Moments the whole machine stood still during the run: a stall that began in one (or within
   * FREEZE_DRAIN_MS of its end) is the machine's and is not counted; every other stall fails.
   */
  readonly freezes?: MachineFreezes;
}

export function assertSwarmPlayedWell(
  reports: readonly ViewerReport[],
  check: SegmentCheck,
  tracker: { readonly signalsRelayed: number },
  expectedViewers: number,
  options: SwarmPlayOptions = {},
): void {
  const { lateJoinersFromPeers = true, freezes } = options;
  assert.equal(reports.length, expectedViewers, 'every viewer reported');
  reports.forEach((r, i) => {
    assert.ok(r.p2p, `viewer#${i} ran with P2P`);
    assert.notEqual(r.startupMs, null, `viewer#${i} never started playing`);
    assert.equal(freezes ? freezes.stallsOutside(r) : r.stalls, 0, `viewer#${i}: ${describeStalls(r)}${freezes ? `\n  ${freezes.describe()}` : ''}`);
    assert.deepEqual(r.hlsFatalErrors, [], `viewer#${i} had fatal hls.js errors`);
    if (lateJoinersFromPeers && i > 0) assert.ok(r.p2pBytes > 0, `viewer#${i} (joined after the first) got no bytes from peers`);
    assert.ok(
      r.segments.length > 0,
      `viewer#${i} reported no segments: Swarmcast emitted no 'segment' event (did every load go through hls.js's own loader?)`,
    );
  });
  assert.deepEqual(check.mismatches, [], 'segments differ from the origin');
  const uncheckedP2p = check.unavailable.filter((label) => label.includes('source=p2p'));
  assert.deepEqual(uncheckedP2p, [], 'segments from peers that could not be checked against the origin');
  assert.ok(check.verifiedP2p > 0, 'no segment from peers was verified');
  assert.ok(tracker.signalsRelayed > 0, 'the tracker relayed no signaling');
}
