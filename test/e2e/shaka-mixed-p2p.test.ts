/**
 * hls.js and Shaka Player in one swarm: an hls.js viewer plays the live HLS stream, a Shaka viewer
 * joins 5 s later. Both name segments as the integrity authority does ({media playlist, media
 * sequence}), so whatever one gets from peers can only have come from the other. Which of the two
 * fetches a new segment from the CDN is the scheduler's choice (the one whose measured uplink weighs
 * more, often the first to have uploaded, which may be the later one): the test asserts that
 * segments passed between the players, in either direction, and that every byte one got from a peer
 * the other uploaded. No stall (but those a freeze of the whole machine caused), every peer byte
 * identical to the origin's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertChromiumInstalled, launchBrowser } from './harness/browser.js';
import type { LaunchedBrowser } from './harness/browser.js';
import { OriginHashes } from './harness/origin-hashes.js';
import { startStack } from './harness/stack.js';
import type { Stack } from './harness/stack.js';
import { MachineFreezes } from './harness/machine-freezes.js';
import { assertSwarmPlayedWell, describeReports } from './harness/swarm-assertions.js';
import { runSwarm } from './harness/swarm-run.js';
import { assertViewerBuilt } from './harness/viewer.js';

const JOIN_SPREAD_MS = 5000;
const PLAY_AFTER_LAST_JOIN_MS = 30_000;
const SLACK_MS = 60_000;

let browser: LaunchedBrowser | undefined;
let stack: Stack | undefined;

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  stack = await startStack({ liveSource: 'loop' });
  browser = await launchBrowser();
});

after(async () => {
  await Promise.allSettled([browser?.close(), stack?.close()]);
});

void test('live (hls.js + Shaka): the two players pass segments to each other over WebRTC, no stall, bytes identical to the origin\'s', { timeout: JOIN_SPREAD_MS + PLAY_AFTER_LAST_JOIN_MS + SLACK_MS }, async (t) => {
  if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
  const hashes = new OriginHashes(stack.origin, 'live');
  const freezes = new MachineFreezes();
  const reports = await runSwarm({
    browser: browser.browser,
    src: stack.origin.liveMasterUrl,
    page: (slot) => (slot === 0 ? '/index.html' : '/shaka.html'),
    tracker: stack.tracker.url,
    p2p: true,
    viewers: 2,
    joinSpreadMs: JOIN_SPREAD_MS,
    durationMs: PLAY_AFTER_LAST_JOIN_MS,
    until: 'together',
    hashes,
    log: (line) => { t.diagnostic(line); },
  }).finally(() => { freezes.stop(); });
  if (freezes.windows.length > 0) t.diagnostic(freezes.describe());
  const check = hashes.check(reports);
  t.diagnostic(describeReports(reports));
  t.diagnostic(`segments verified: ${check.verified} (${check.verifiedP2p} from peers)`);
  assertSwarmPlayedWell(reports, check, stack.tracker.stats(), 2, { lateJoinersFromPeers: false, freezes });
  const [hlsjs, shaka] = reports;
  if (!hlsjs || !shaka) throw new Error('two viewers reported');
  assert.ok(hlsjs.p2pBytes + shaka.p2pBytes > 0, 'neither player got bytes from the other');
  // Each one's only peer is the other: what it received, the other sent.
  assert.ok(shaka.p2pBytes <= hlsjs.uploadedBytes, `the Shaka viewer got ${shaka.p2pBytes} B from peers, the hls.js viewer uploaded ${hlsjs.uploadedBytes} B`);
  assert.ok(hlsjs.p2pBytes <= shaka.uploadedBytes, `the hls.js viewer got ${hlsjs.p2pBytes} B from peers, the Shaka viewer uploaded ${shaka.uploadedBytes} B`);
});
