/**
 * The e2e test of one stream type of the formats catalog: 4 viewers in real headless Chromium,
 * live then VOD, each run short. Registers its own before/after hooks and two tests.
 */
import { after, before, test } from 'node:test';
import type { FormatType, OriginFormats } from '@swarmcast/origin';
import { assertChromiumInstalled, launchBrowser } from './browser.js';
import type { LaunchedBrowser } from './browser.js';
import { assertFormatPlayedWell } from './formats-assertions.js';
import { runFormat } from './formats-run.js';
import { MachineFreezes } from './machine-freezes.js';
import { startFormatsOrigin } from './formats-stack.js';
import type { Origin } from './stack.js';
import { describeReports } from './swarm-assertions.js';
import { assertViewerBuilt } from './viewer.js';

const VIEWERS = 4;
/**
 * Viewers join 3 s apart: opening a playing page costs more than a core for 2-3 s on this machine,
 * and a page opened while another opens fetched its first segments in 2-3 s (a stall at startup).
 */
const JOIN_SPREAD_MS = 9_000;
const PLAY_AFTER_LAST_JOIN_MS = 30_000;
/** Setup, page loads and a first generation of the catalog (~45 s on a busy 2-core machine). */
const SLACK_MS = 90_000;

export function defineFormatTest(type: FormatType): void {
  let browser: LaunchedBrowser | undefined;
  let origin: (Origin & { readonly formats: OriginFormats }) | undefined;

  before(async () => {
    assertChromiumInstalled();
    assertViewerBuilt();
    origin = await startFormatsOrigin();
    browser = await launchBrowser();
  }, { timeout: SLACK_MS });

  after(async () => {
    await Promise.allSettled([browser?.close(), origin?.close()]);
  });

  for (const mode of ['live', 'vod'] as const) {
    const name = `${type} ${mode}: ${VIEWERS} viewers play without stall or hls.js error, peers share bytes identical to the origin's`;
    void test(name, { timeout: JOIN_SPREAD_MS + PLAY_AFTER_LAST_JOIN_MS + SLACK_MS }, async (t) => {
      if (!browser || !origin) throw new Error('e2e setup failed (see the before hook)');
      const freezes = new MachineFreezes();
      const result = await runFormat({
        browser: browser.browser,
        origin,
        type,
        mode,
        viewers: VIEWERS,
        joinSpreadMs: JOIN_SPREAD_MS,
        playAfterLastJoinMs: PLAY_AFTER_LAST_JOIN_MS,
        log: (line) => { t.diagnostic(line); },
      }).finally(() => { freezes.stop(); });
      t.diagnostic(describeReports(result.reports));
      if (freezes.windows.length > 0) t.diagnostic(freezes.describe());
      const { check } = result;
      t.diagnostic(`segments verified: ${check.verified} (${check.verifiedP2p} from peers), unavailable: ${check.unavailable.length}; origin keys: ${result.origin.keyRequests}, 403: ${result.origin.forbidden}`);
      assertFormatPlayedWell(type, result, VIEWERS, freezes);
    });
  }
}
