/**
 * Tracker outage: 3 Chromium viewers play a live stream; the tracker process is killed (SIGKILL)
 * for 15 s and started again on the same port. The viewers keep playing without a stall, keep
 * their peer connections, and all re-join after the restart within the reconnect backoff. Segments
 * are signed by `swarmcast sign` beside the origin: the viewers fetch its records over HTTP while the
 * tracker is down, so segments of the outage still come from peers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { outageRun } from '../../bench/lib/outage-run.js';
import { startOutageStack } from '../../bench/lib/outage-stack.js';
import type { OutageStack } from '../../bench/lib/outage-stack.js';
import { assertChromiumInstalled, assertViewerBuilt, launchBrowser } from './harness/index.js';
import type { LaunchedBrowser } from './harness/index.js';

const OUTAGE_SEC = 15;
/** After 15 s down the backoff's next attempt is at most 16 s away (delays 0.5-1, 1-2, 2-4, 4-8, 8-16 s). */
const MAX_REJOIN_SEC = 16;

let browser: LaunchedBrowser | undefined;
let stack: OutageStack | undefined;

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  stack = await startOutageStack();
  browser = await launchBrowser();
});

after(async () => {
  await Promise.allSettled([browser?.close(), stack?.close()]);
});

void test('tracker killed for 15 s: playback and peer connections go on, every viewer re-joins', { timeout: 120_000 }, async (t) => {
  if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
  const run = await outageRun(stack, browser.browser, {
    viewers: 3,
    joinSpreadSec: 2,
    beforeSec: 12,
    outageSec: OUTAGE_SEC,
    afterSec: MAX_REJOIN_SEC + 4,
    p2p: true,
    log: (line) => { t.diagnostic(line); },
  });
  const liveRecordFetches = run.perViewer.reduce((n, v) => n + (v.integrity.liveRecordFetches ?? 0), 0);
  t.diagnostic(`stalls ${run.stalls} (during the outage ${run.stallsDuringOutage}), P2P during the outage ${run.p2pBytesDuringOutage} B, peers at restart ${run.peersAtRestart ?? '-'}`);
  t.diagnostic(`P2P share before the kill ${run.p2pShareBeforeOutage ?? '-'}, during the outage ${run.p2pShareDuringOutage ?? '-'}; live records fetched ${liveRecordFetches}`);
  t.diagnostic(`re-join (s): ${run.rejoinSecPerViewer.join(' ')}; delays (s): ${run.reconnectDelaysSec.map((d) => d.join('/')).join(' | ')}`);
  for (const v of run.perViewer) t.diagnostic(`viewer ${v.peerId ?? '-'}: stalls=${v.stalls} stalledMs=${v.stalledMs} errors=${v.hlsErrors.join(',')}`);
  assert.equal(run.startedViewers, 3, 'every viewer played');
  assert.equal(run.stalls, 0, 'no viewer stalled');
  assert.equal(run.peersAtRestart, 2, 'the viewers kept their peer connections through the outage');
  assert.ok(liveRecordFetches > 0, 'records fetched over HTTP while the tracker was down');
  // Segments first published during the outage came from peers too: P2P did not dry up.
  const before = run.p2pShareBeforeOutage ?? 0;
  assert.ok((run.p2pShareDuringOutage ?? 0) >= 0.5 * before, `P2P share during the outage ${run.p2pShareDuringOutage ?? '-'} against ${before} before it`);
  assert.equal(run.notRejoined, 0, 'every viewer re-joined');
  assert.ok((run.rejoinSec.max ?? Infinity) <= MAX_REJOIN_SEC, `re-join took up to ${run.rejoinSec.max ?? '-'} s`);
  // Jitter: the viewers did not all retry at the same moments.
  const firstDelays = run.reconnectDelaysSec.map((d) => d[0] ?? 0);
  assert.ok(new Set(firstDelays).size > 1, `first reconnect delays ${firstDelays.join(' ')} s are all equal`);
});
