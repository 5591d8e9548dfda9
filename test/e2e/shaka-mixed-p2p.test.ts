/**
 * hls.js and Shaka Player in one swarm: an hls.js viewer plays the live HLS stream, a Shaka viewer
 * joins 5 s later. Both name segments as the integrity authority does ({media playlist, media
 * sequence}), so the Shaka viewer's peer bytes can only have come from the hls.js viewer. No stall,
 * every peer byte identical to the origin's.
 */
import { after, before, test } from 'node:test';
import { assertChromiumInstalled, launchBrowser } from './harness/browser.js';
import type { LaunchedBrowser } from './harness/browser.js';
import { OriginHashes } from './harness/origin-hashes.js';
import { startStack } from './harness/stack.js';
import type { Stack } from './harness/stack.js';
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

void test('live (hls.js + Shaka): a Shaka viewer gets segments from an hls.js viewer, no stall, bytes identical to the origin\'s', { timeout: JOIN_SPREAD_MS + PLAY_AFTER_LAST_JOIN_MS + SLACK_MS }, async (t) => {
  if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
  const hashes = new OriginHashes(stack.origin, 'live');
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
  });
  const check = hashes.check(reports);
  t.diagnostic(describeReports(reports));
  t.diagnostic(`segments verified: ${check.verified} (${check.verifiedP2p} from peers)`);
  // viewer#1 (Shaka) must get peer bytes, and its only peer is viewer#0 (hls.js).
  assertSwarmPlayedWell(reports, check, stack.tracker.stats(), 2);
});
