/**
 * Edge peer: origin + tracker + a Node edge peer (in-process, node-datachannel) + 2 Chromium viewers
 * on loopback. The viewers get bytes from peers, the edge peer uploads, nobody stalls (but in a
 * freeze of the whole machine), every peer byte is the origin's, and everything closes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EdgePeer } from '@swarmcast/node';
import { assertChromiumInstalled, assertViewerBuilt, launchBrowser, OriginHashes, runSwarm, startStack } from './harness/index.js';
import type { LaunchedBrowser, Stack } from './harness/index.js';
import { MachineFreezes } from './harness/machine-freezes.js';
import { assertSwarmPlayedWell, describeReports } from './harness/swarm-assertions.js';

const VIEWERS = 2;
const JOIN_SPREAD_MS = 5_000;
const PLAY_MS = 30_000;

let browser: LaunchedBrowser | undefined;
let stack: Stack | undefined;
let edge: EdgePeer | undefined;

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  stack = await startStack({ liveSource: 'loop' });
  browser = await launchBrowser();
});

after(async () => {
  await edge?.close();
  await Promise.allSettled([browser?.close(), stack?.close()]);
});

void test('live: a Node edge peer serves 2 Chromium viewers over WebRTC, no stall, bytes identical to the origin\'s', { timeout: JOIN_SPREAD_MS + PLAY_MS + 60_000 }, async (t) => {
  if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
  const { origin, tracker } = stack;
  const edgePeer = new EdgePeer({ streamUrl: origin.liveMasterUrl, trackerUrl: tracker.url, rtc: { bindAddress: '127.0.0.1' } });
  edge = edgePeer;
  edgePeer.on('error', (e) => { t.diagnostic(`edge error: ${e.error instanceof Error ? e.error.message : String(e.error)}`); });
  edgePeer.start();
  const hashes = new OriginHashes(origin, 'live');
  const freezes = new MachineFreezes();
  const reports = await runSwarm({
    browser: browser.browser,
    src: origin.liveMasterUrl,
    tracker: tracker.url,
    p2p: true,
    viewers: VIEWERS,
    joinSpreadMs: JOIN_SPREAD_MS,
    durationMs: PLAY_MS,
    until: 'together',
    hashes,
    log: (line) => { t.diagnostic(line); },
  }).finally(() => { freezes.stop(); });
  if (freezes.windows.length > 0) t.diagnostic(freezes.describe());
  const s = edgePeer.stats();
  const check = hashes.check(reports);
  t.diagnostic(describeReports(reports));
  t.diagnostic(`edge: up=${s.engine.uploadedBytes}B http=${s.engine.httpBytes}B segments=${s.segments} peers=${s.engine.peers}`);
  t.diagnostic(`segments verified: ${check.verified} (${check.verifiedP2p} from peers), unavailable: ${check.unavailable.length}`);
  assertSwarmPlayedWell(reports, check, tracker.stats(), VIEWERS, { freezes });
  assert.ok(s.engine.uploadedBytes > 0, 'the edge peer uploaded nothing');
  reports.forEach((r, i) => { assert.ok(r.p2pBytes > 0, `viewer#${i} got no bytes from peers`); });
  await edgePeer.close();
  assert.equal(edgePeer.stats().engine.peers, 0, 'the edge peer still holds connections after close()');
});
