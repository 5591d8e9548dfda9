/**
 * Smoke of `bench:live` constrained mode with churn: 3 viewers, each in its own network namespace
 * with a 720 kbit/s upload cap (~1.8x the loop's 403 kbit/s BANDWIDTH) and 40 ms RTT, one of them replaced
 * mid-run, then the plain hls.js baseline under the same constraints. Runs the real CLI and checks
 * its JSON: peers shared, nobody stalled, and the shaping was really in effect.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BITRATE_KBPS } from '../../bench/lib/sim-check.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CAP_KBPS = 720;
const RTT_MS = 40;
/** A 2 s window may exceed the cap by tbf's burst (4.5 kB = 18 kbit/s over 2 s) and sampling jitter. */
const CAP_MARGIN = 1.1;

const dir = mkdtempSync(join(tmpdir(), 'swarmcast-bench-constrained-'));
after(() => { rmSync(dir, { recursive: true, force: true }); });

interface RunJson {
  readonly p2pShare: number;
  readonly stalls: number;
  readonly viewers: number;
  readonly sessions: number;
  readonly startedViewers: number;
  readonly cpuPerViewer: number;
  readonly integrity: { readonly mismatches: number };
  readonly shaping: { readonly maxUploadKbps: readonly number[]; readonly qdisc: { readonly sentBytes: number }; readonly wirePerChannelByte: number | null } | null;
}

interface BenchJson {
  readonly constraints: { readonly uploadKbps: number; readonly rttMs: number };
  readonly churn: { readonly pct: number; readonly events: readonly unknown[] };
  readonly shapingCheck: { readonly measuredUploadKbps: number; readonly connectMs: number };
  readonly swarmcast: RunJson;
  readonly baseline: RunJson;
  readonly simulator: { readonly p2pShare: number; readonly scenario: { peers: number; uploadMultiple: number; rttMs: number; churn: number } };
  readonly simAgreement: { readonly browserP2pShare: number; readonly simP2pShare: number; readonly differencePoints: number };
}

void test('bench:live --upload-kbps 720 --rtt-ms 40 --churn 34: P2P under the cap, no stall, shaping in effect', { timeout: 300_000 }, () => {
  const json = join(dir, 'bench.json');
  const args = ['--viewers', '3', '--duration', '40', '--join-spread', '4', '--churn', '34',
    '--upload-kbps', String(CAP_KBPS), '--rtt-ms', String(RTT_MS), '--json', json];
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'bench', 'live.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `bench:live failed:\n${r.stdout}\n${r.stderr}`);
  const out = JSON.parse(readFileSync(json, 'utf8')) as BenchJson;
  const why = `\n${r.stdout}`;
  assert.deepEqual(out.constraints, { uploadKbps: CAP_KBPS, rttMs: RTT_MS });
  assert.equal(out.churn.events.length, 1);
  // The pre-run probe: a TCP upload from a viewer namespace runs at the cap, and connect takes one RTT.
  assert.ok(out.shapingCheck.measuredUploadKbps > 0.8 * CAP_KBPS && out.shapingCheck.measuredUploadKbps < CAP_MARGIN * CAP_KBPS, why);
  assert.ok(out.shapingCheck.connectMs >= 0.9 * RTT_MS, why);
  for (const [label, run] of [['swarmcast', out.swarmcast], ['baseline', out.baseline]] as const) {
    assert.equal(run.viewers, 3, label);
    assert.equal(run.sessions, 4, `${label}: 3 viewers + 1 replacement${why}`);
    assert.equal(run.startedViewers, 4, `${label}: every session played${why}`);
    assert.equal(run.stalls, 0, `${label}: no stall${why}`);
    assert.equal(run.integrity.mismatches, 0, label);
    assert.ok(run.cpuPerViewer > 0, `${label}: cpuPerViewer measured`);
    assert.ok(run.shaping, label);
    for (const kbps of run.shaping.maxUploadKbps) assert.ok(kbps <= CAP_MARGIN * CAP_KBPS, `${label}: a viewer uploaded ${String(kbps)} kbit/s over 2 s, cap ${String(CAP_KBPS)}${why}`);
    assert.ok(run.shaping.qdisc.sentBytes > 0, `${label}: traffic went through the viewer-side tbf`);
  }
  assert.ok(out.swarmcast.p2pShare > 0, `no P2P under constraints${why}`);
  // The uplinks carried more than the DataChannel bytes: the transport's headers and SACKs (~1.25x in 12-viewer runs).
  const wire = out.swarmcast.shaping?.wirePerChannelByte ?? 0;
  assert.ok(wire > 1.05 && wire < 2, `tbf carried ${String(wire)}x the DataChannel bytes${why}`);
  assert.equal(out.baseline.shaping?.wirePerChannelByte, null, 'no DataChannel bytes without P2P');
  assert.equal(out.baseline.p2pShare, 0);
  // The simulator ran the same scenario: 3 peers, uplinks of 720 kbit/s for the loop's mean bitrate, 40 ms RTT, churn.
  assert.deepEqual(
    { peers: out.simulator.scenario.peers, uploadMultiple: out.simulator.scenario.uploadMultiple, rttMs: out.simulator.scenario.rttMs, churn: out.simulator.scenario.churn },
    { peers: 3, uploadMultiple: CAP_KBPS / BITRATE_KBPS, rttMs: RTT_MS, churn: 0.34 },
  );
  assert.ok(out.simulator.p2pShare > 0 && out.simulator.p2pShare < 1, why);
  assert.equal(out.simAgreement.browserP2pShare, out.swarmcast.p2pShare);
  assert.ok(Math.abs(out.simAgreement.differencePoints - 100 * (out.simulator.p2pShare - out.swarmcast.p2pShare)) < 1e-9);
});
