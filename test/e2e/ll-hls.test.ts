/**
 * LL-HLS: 4 Swarmcast viewers and 2 plain hls.js viewers (low-latency mode, hls.js's default) play
 * the LL-HLS origin's stream (0.5 s parts, preload hints, blocking playlist reload) at the same time.
 * Parts go through peers within their deadlines (about a second after they appear), signed by the
 * tracker's authority from blocking playlist requests; every part a peer delivered is checked against
 * the origin's. Swarmcast must not add latency (within 0.5 s of plain hls.js) nor stalls.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateSigningKey } from '@swarmcast/integrity';
import { startLlOrigin, type LlOrigin } from '@swarmcast/origin';
import type { ViewerReport } from '@swarmcast/web';
import { assertChromiumInstalled, assertViewerBuilt, launchBrowser, OriginHashes, runSwarm, startStack } from './harness/index.js';
import type { LaunchedBrowser, Stack } from './harness/index.js';
import { fromPeersOnly, llRenditionBytes, partIndexOf } from './harness/ll-hashes.js';
import { describeReports } from './harness/swarm-assertions.js';

const P2P_VIEWERS = 4;
const BASELINE_VIEWERS = 2;
const JOIN_SPREAD_MS = 6000;
const PLAY_MS = 45_000;
/** The bound: Swarmcast's mean live latency at most this much above plain hls.js LL mode. */
const MAX_EXTRA_LATENCY_SEC = 0.5;
/** Stalled time a Swarmcast viewer may have above the worst plain hls.js viewer's (scheduling noise on 2 shared cores). */
const STALL_NOISE_MS = 500;

let browser: LaunchedBrowser | undefined;
let stack: Stack | undefined;
let ll: LlOrigin | undefined;

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  ll = await startLlOrigin();
  stack = await startStack({ tracker: { integrity: { signingKeyPkcs8: generateSigningKey().privateKeyPkcs8, streams: [ll.masterUrl] } } });
  browser = await launchBrowser();
});

after(async () => {
  await Promise.allSettled([browser?.close(), stack?.close(), ll?.close()]);
});

const meanLatency = (reports: readonly ViewerReport[]): number => {
  const values = reports.map((r) => r.liveLatencySec).filter((v): v is number => v !== null);
  assert.equal(values.length, reports.length, 'every viewer measured its live latency');
  return values.reduce((a, b) => a + b, 0) / values.length;
};

void test('LL-HLS: Swarmcast viewers share parts at plain hls.js LL latency, no stall, peer bytes verified', { timeout: 180_000 }, async (t) => {
  if (!browser || !stack || !ll) throw new Error('e2e setup failed (see the before hook)');
  const origin = ll;
  // A part is reported as {partRenditionId(rendition, index), parent msn}.
  const hashes = new OriginHashes(llRenditionBytes(origin));
  const common = { browser: browser.browser, src: origin.masterUrl, tracker: stack.tracker.url, page: `${stack.origin.url}/index.html`, until: 'together' as const };
  const [swarm, baseline] = await Promise.all([
    runSwarm({ ...common, p2p: true, viewers: P2P_VIEWERS, joinSpreadMs: JOIN_SPREAD_MS, durationMs: PLAY_MS, hashes, log: (line) => { t.diagnostic(line); } }),
    runSwarm({ ...common, p2p: false, viewers: BASELINE_VIEWERS, joinSpreadMs: JOIN_SPREAD_MS, durationMs: PLAY_MS }),
  ]);
  t.diagnostic(`swarmcast:\n${describeReports(swarm)}`);
  t.diagnostic(`plain hls.js:\n${describeReports(baseline)}`);
  for (const [name, reports] of [['swarmcast', swarm], ['baseline', baseline]] as const) {
    reports.forEach((r, i) => {
      assert.notEqual(r.startupMs, null, `${name}#${i} never started playing`);
      assert.deepEqual(r.hlsFatalErrors, [], `${name}#${i} had fatal hls.js errors`);
    });
  }
  // 1.5 s behind the edge, hls.js itself fires short 'waiting' events (a part a few ms late): the
  // bar is plain hls.js LL in the same run, not zero.
  const baselineStalledMs = Math.max(...baseline.map((r) => r.stalledMs));
  swarm.forEach((r, i) => {
    assert.ok(r.stalledMs <= baselineStalledMs + STALL_NOISE_MS, `swarmcast#${i} stalled ${r.stalledMs} ms (${r.stalls} times), plain hls.js at most ${baselineStalledMs} ms`);
  });
  const swarmLatency = meanLatency(swarm);
  const baselineLatency = meanLatency(baseline);
  const p2pBytes = swarm.reduce((n, r) => n + r.p2pBytes, 0);
  const allBytes = swarm.reduce((n, r) => n + r.p2pBytes + r.httpBytes, 0);
  t.diagnostic(`live latency: swarmcast ${swarmLatency.toFixed(2)} s, plain hls.js LL ${baselineLatency.toFixed(2)} s; P2P share ${(p2pBytes / allBytes).toFixed(3)} (${p2pBytes} of ${allBytes} B)`);
  assert.ok(swarmLatency <= baselineLatency + MAX_EXTRA_LATENCY_SEC, `latency ${swarmLatency.toFixed(2)} s vs plain hls.js ${baselineLatency.toFixed(2)} s`);
  assert.ok(baselineLatency < 3, `plain hls.js is not in low-latency mode (${baselineLatency.toFixed(2)} s behind)`);
  const check = hashes.check(fromPeersOnly(swarm));
  t.diagnostic(`segments from peers verified: ${check.verifiedP2p}, unavailable: ${check.unavailable.length}`);
  assert.deepEqual(check.mismatches, [], 'segments from peers differ from the origin');
  assert.deepEqual(check.unavailable, [], 'segments from peers that could not be checked');
  const partsFromPeers = swarm.flatMap((r) => r.segments).filter((s) => s.source === 'p2p' && partIndexOf(s.rendition) !== undefined).length;
  t.diagnostic(`parts from peers: ${partsFromPeers}`);
  assert.ok(partsFromPeers > 0 && p2pBytes > 0, 'no part came from a peer');
});
