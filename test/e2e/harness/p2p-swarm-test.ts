/**
 * The P2P swarm scenario shared by the live and VOD e2e tests: one origin + tracker, N viewer pages
 * in real headless Chromium joining over a spread, all playing until a common end; then the checks
 * of swarm-assertions.ts. Registers its own before/after hooks and one test.
 */
import { after, before, test } from 'node:test';
import { assertChromiumInstalled, launchBrowser } from './browser.js';
import type { LaunchedBrowser } from './browser.js';
import { OriginHashes } from './origin-hashes.js';
import type { StreamKind } from './origin-hashes.js';
import { startStack } from './stack.js';
import type { Stack } from './stack.js';
import { assertSwarmPlayedWell, describeReports } from './swarm-assertions.js';
import { runSwarm } from './swarm-run.js';
import { assertViewerBuilt } from './viewer.js';

export interface P2pSwarmScenario {
  readonly kind: StreamKind;
  readonly viewers: number;
  readonly joinSpreadMs: number;
  /** Everyone plays until this long after the last join. */
  readonly playAfterLastJoinMs: number;
  /** The viewer page (e.g. '/shaka.html'); default: the hls.js page. */
  readonly page?: string;
  /** Added to the test's name (e.g. 'Shaka'). */
  readonly player?: string;
}

/** Setup and page loads on top of the scenario's own time. */
const SLACK_MS = 60_000;

export function defineP2pSwarmTest(scenario: P2pSwarmScenario): void {
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

  const { kind, viewers, joinSpreadMs, playAfterLastJoinMs, page } = scenario;
  const name = `${kind}${scenario.player === undefined ? '' : ` (${scenario.player})`}: ${viewers} viewers share segments over WebRTC, no stall, bytes identical to the origin's`;
  void test(name, { timeout: joinSpreadMs + playAfterLastJoinMs + SLACK_MS }, async (t) => {
    if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
    const { origin, tracker } = stack;
    const hashes = new OriginHashes(origin, kind);
    const reports = await runSwarm({
      browser: browser.browser,
      src: kind === 'live' ? origin.liveMasterUrl : origin.vodMasterUrl,
      tracker: tracker.url,
      p2p: true,
      ...(page === undefined ? {} : { page }),
      viewers,
      joinSpreadMs,
      durationMs: playAfterLastJoinMs,
      until: 'together',
      hashes,
      log: (line) => { t.diagnostic(line); },
    });
    const check = hashes.check(reports);
    t.diagnostic(describeReports(reports));
    t.diagnostic(`segments verified: ${check.verified} (${check.verifiedP2p} from peers), unavailable: ${check.unavailable.length}`);
    assertSwarmPlayedWell(reports, check, tracker.stats(), viewers);
  });
}
