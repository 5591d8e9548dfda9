/**
 * Edge peer for an office: a Node edge peer with `group` and an upload cap, 2 Chromium viewers of
 * its group and 1 viewer without a group, on loopback. The group's viewers are introduced to the
 * edge peer (and each other) only; the ungrouped viewer meets no one and plays over HTTP; the edge
 * peer never uploads faster than its cap; nobody stalls. A stall that begins while the test's own
 * process was held (the whole VM stood still, see MachineFreezes) is reported, not counted: the
 * ungrouped viewer plays plain HTTP in the same run and stalls in those moments too.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EdgePeer } from '@swarmcast/node';
import { assertChromiumInstalled, assertViewerBuilt, closeAll, launchBrowser, openViewer, sleep, startStack } from './harness/index.js';
import type { LaunchedBrowser, Stack, ViewerHandle } from './harness/index.js';
import { describeReports } from './harness/swarm-assertions.js';
import { describeStalls } from './harness/stall-report.js';
import { MachineFreezes } from './harness/machine-freezes.js';

const GROUP = 'office-a';
const PLAY_MS = 30_000;
/** 320 kbit/s: below one viewer's bitrate, so the cap binds and requests beyond it get BUSY (then HTTP). */
const CAP_BYTES_PER_SEC = 40_000;

let browser: LaunchedBrowser | undefined;
let stack: Stack | undefined;
let edge: EdgePeer | undefined;
let freezes: MachineFreezes | undefined;
const viewers: ViewerHandle[] = [];

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  stack = await startStack({ liveSource: 'loop' });
  browser = await launchBrowser();
});

after(async () => {
  freezes?.stop();
  await closeAll([...viewers.map((v) => () => v.close()), () => edge?.close()]);
  await Promise.allSettled([browser?.close(), stack?.close()]);
});

void test('a grouped, capped edge peer serves only its group\'s viewers, within its cap', { timeout: PLAY_MS + 60_000 }, async (t) => {
  if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
  const { origin, tracker } = stack;
  const edgePeer = new EdgePeer({ streamUrl: origin.liveMasterUrl, trackerUrl: tracker.url, group: GROUP, uploadCapBytesPerSec: CAP_BYTES_PER_SEC, rtc: { bindAddress: '127.0.0.1' } });
  edge = edgePeer;
  edgePeer.on('error', (e) => { t.diagnostic(`edge error: ${e.error instanceof Error ? e.error.message : String(e.error)}`); });
  edgePeer.start();
  const machine = new MachineFreezes();
  freezes = machine;
  const startedAt = performance.now();
  const src = origin.liveMasterUrl;
  viewers.push(await openViewer(browser.browser, { src, tracker: tracker.url, p2p: true, group: GROUP }));
  viewers.push(await openViewer(browser.browser, { src, tracker: tracker.url, p2p: true, group: GROUP }));
  viewers.push(await openViewer(browser.browser, { src, tracker: tracker.url, p2p: true }));
  await sleep(PLAY_MS);
  const reports = await Promise.all(viewers.map((v) => v.report()));
  machine.stop();
  const elapsedSec = (performance.now() - startedAt) / 1000;
  const s = edgePeer.stats();
  t.diagnostic(describeReports(reports));
  t.diagnostic(`edge: up=${s.engine.uploadedBytes}B in ${elapsedSec.toFixed(1)} s, peers=${s.engine.peers}`);
  if (machine.windows.length > 0) t.diagnostic(machine.describe());
  const [a, b, outsider] = reports;
  assert.ok(a && b && outsider);
  reports.forEach((r, i) => {
    assert.notEqual(r.startupMs, null, `viewer#${i} never played`);
    if (r.stalls > 0) t.diagnostic(`viewer#${i}: ${describeStalls(r)}`);
    assert.equal(machine.stallsOutside(r), 0, `viewer#${i} stalled outside the machine's freezes: ${describeStalls(r)}`);
  });
  assert.equal(s.engine.peers, 2, 'the edge peer is connected to its 2 group viewers only');
  assert.ok(a.p2pBytes > 0 && b.p2pBytes > 0, 'the group viewers got bytes from peers');
  assert.equal(outsider.peers, 0, 'the ungrouped viewer met no peer');
  assert.equal(outsider.p2pBytes, 0);
  assert.ok(s.engine.uploadedBytes > 0, 'the edge peer uploaded');
  // Token bucket: the burst (a quarter second of the cap) plus the cap over the run.
  assert.ok(s.engine.uploadedBytes <= CAP_BYTES_PER_SEC * (elapsedSec + 0.25), `uploaded ${s.engine.uploadedBytes} B > cap`);
});
