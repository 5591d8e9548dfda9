/**
 * What issue #7 asks of every stream type, live and VOD: every viewer plays without a stall or
 * an hls.js error, peers carry bytes, every peer byte is the origin's; for aes128 the key comes
 * from the origin to every viewer; for tokens no request went without its token.
 */
import assert from 'node:assert/strict';
import type { FormatType } from '@swarmcast/origin';
import type { FormatRunResult } from './formats-run.js';
import type { MachineFreezes } from './machine-freezes.js';
import { describeStalls } from './stall-report.js';

/**
 * Non-fatal hls.js events of its own stall detector: the playhead did not move for a moment while
 * data was buffered (on this shared 2-core machine, a renderer starved of CPU), and the nudge or
 * gap jump hls.js did about it. They are reported and counted by bench:formats against plain
 * hls.js; the test holds every viewer to no stall (no 'waiting' while playing) and no other error.
 */
export const STALL_DETECTOR_ERRORS: readonly string[] = ['mediaError:bufferStalledError', 'mediaError:bufferSeekOverHole', 'mediaError:bufferNudgeOnStall'];

/**
 * `freezes`: moments the whole machine stood still during the run (see MachineFreezes); a stall
 * that began in one (or within FREEZE_DRAIN_MS of its end) is the machine's, any player's, and is
 * not counted. Every other stall fails the viewer.
 */
export function assertFormatPlayedWell(type: FormatType, result: FormatRunResult, expectedViewers: number, freezes?: MachineFreezes): void {
  const { reports, check, origin } = result;
  assert.equal(reports.length, expectedViewers, 'every viewer reported');
  reports.forEach((r, i) => {
    assert.notEqual(r.startupMs, null, `viewer#${i} never started playing`);
    const ownStalls = freezes ? freezes.stallsOutside(r) : r.stalls;
    assert.equal(ownStalls, 0, `viewer#${i}: ${describeStalls(r)}${freezes ? `\n  ${freezes.describe()}` : ''}`);
    assert.deepEqual(r.hlsFatalErrors, [], `viewer#${i} had fatal hls.js errors`);
    assert.deepEqual(r.hlsErrors.filter((e) => !STALL_DETECTOR_ERRORS.includes(e)), [], `viewer#${i} had hls.js errors`);
    assert.ok(r.segments.length > 0, `viewer#${i} reported no segments`);
  });
  assert.deepEqual(check.mismatches, [], 'segments differ from the origin');
  const uncheckedP2p = check.unavailable.filter((label) => label.includes('source=p2p'));
  assert.deepEqual(uncheckedP2p, [], 'segments from peers that could not be checked against the origin');
  const p2pBytes = reports.reduce((sum, r) => sum + r.p2pBytes, 0);
  assert.ok(p2pBytes > 0, 'no bytes came from peers');
  assert.ok(check.verifiedP2p > 0, 'no segment from peers was verified against the origin');
  if (type === 'aes128') {
    // hls.js fetches the key once per viewer (key URI unchanged): each one from the origin.
    assert.ok(origin.keyRequests >= expectedViewers, `${origin.keyRequests} key requests reached the origin for ${expectedViewers} viewers`);
  }
  if (type === 'tokens') assert.equal(origin.forbidden, 0, 'a request went without its token');
}
