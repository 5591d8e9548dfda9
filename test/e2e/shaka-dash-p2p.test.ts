/**
 * DASH with Shaka Player: a static MPD (SegmentTemplate $Number$, 2 s segments, video + audio)
 * encoded by ffmpeg and served by a plain HTTP server; the tracker's integrity authority signs it
 * (MPD watcher), integrity stays required. 4 viewers join over ~6 s and play 30 s after the last
 * join, in real headless Chromium over WebRTC on loopback: no stall (but those a freeze of the whole
 * machine caused), no player error, late joiners fetch from peers, every segment (above all every
 * peer's) byte-identical to the origin's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateSigningKey } from '@swarmcast/integrity';
import { assertChromiumInstalled, launchBrowser } from './harness/browser.js';
import type { LaunchedBrowser } from './harness/browser.js';
import { ensureDashFixture, DASH_MPD_NAME } from './harness/dash-fixture.js';
import { checkDashSegments, hashDashFixture } from './harness/dash-hashes.js';
import type { DashHashes } from './harness/dash-hashes.js';
import { startDashServer } from './harness/dash-server.js';
import type { DashServer } from './harness/dash-server.js';
import { startStack } from './harness/stack.js';
import type { Stack } from './harness/stack.js';
import { MachineFreezes } from './harness/machine-freezes.js';
import { assertSwarmPlayedWell, describeReports } from './harness/swarm-assertions.js';
import { runSwarm } from './harness/swarm-run.js';
import { assertViewerBuilt } from './harness/viewer.js';

const VIEWERS = 4;
const JOIN_SPREAD_MS = 6000;
const PLAY_AFTER_LAST_JOIN_MS = 30_000;
/** Encoding (first run only), setup and page loads. */
const SLACK_MS = 90_000;

let dash: DashServer | undefined;
let stack: Stack | undefined;
let browser: LaunchedBrowser | undefined;
let hashes: DashHashes | undefined;
let mpdUrl = '';

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  const dir = await ensureDashFixture();
  dash = await startDashServer(dir);
  mpdUrl = new URL(DASH_MPD_NAME, dash.url).href;
  hashes = await hashDashFixture(dir, DASH_MPD_NAME, mpdUrl);
  const signingKeyPkcs8 = generateSigningKey().privateKeyPkcs8;
  stack = await startStack({ liveSource: 'loop', tracker: { integrity: { signingKeyPkcs8, streams: [mpdUrl] } } });
  browser = await launchBrowser();
});

after(async () => {
  await Promise.allSettled([browser?.close(), stack?.close(), dash?.close()]);
});

void test(`DASH (Shaka): ${VIEWERS} viewers share segments over WebRTC, integrity on, no stall, bytes identical to the origin's`, { timeout: JOIN_SPREAD_MS + PLAY_AFTER_LAST_JOIN_MS + SLACK_MS }, async (t) => {
  if (!browser || !stack || !dash || !hashes) throw new Error('e2e setup failed (see the before hook)');
  assert.ok(hashes.size >= 2 * 29, `the fixture lists ${hashes.size} media segments`);
  const freezes = new MachineFreezes();
  const reports = await runSwarm({
    browser: browser.browser,
    src: mpdUrl,
    page: new URL('/shaka.html', stack.origin.liveMasterUrl).href,
    tracker: stack.tracker.url,
    p2p: true,
    viewers: VIEWERS,
    joinSpreadMs: JOIN_SPREAD_MS,
    durationMs: PLAY_AFTER_LAST_JOIN_MS,
    until: 'together',
    log: (line) => { t.diagnostic(line); },
  }).finally(() => { freezes.stop(); });
  if (freezes.windows.length > 0) t.diagnostic(freezes.describe());
  const check = checkDashSegments(hashes, reports);
  t.diagnostic(describeReports(reports));
  t.diagnostic(`segments verified: ${check.verified} (${check.verifiedP2p} from peers); DASH server sent ${dash.segmentBytesSent()} segment bytes`);
  assertSwarmPlayedWell(reports, check, stack.tracker.stats(), VIEWERS, { freezes });
  assert.deepEqual(reports.flatMap((r) => r.hlsErrors), [], 'no player error at all');
  assert.deepEqual(check.unavailable, [], 'segments the MPD does not list');
  // Integrity is required: every peer segment was verified against a signed record first.
  reports.forEach((r, i) => {
    if (i > 0) assert.ok(r.integrity.segmentsVerified > 0, `viewer#${i} verified no peer segment`);
    assert.equal(r.integrity.integrityFailures, 0, `viewer#${i} saw integrity failures`);
  });
});
