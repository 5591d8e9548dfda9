/**
 * One throwaway viewer before the measured runs, so the first measured viewer does not pay for the
 * browser's cold start (renderer spawn, code compile) and the runs are compared on equal terms.
 */
import type { Browser } from 'playwright-core';
import { sleep } from '../../test/e2e/harness/schedule.js';
import { openViewer } from '../../test/e2e/harness/viewer.js';

/** Give up waiting for the warm-up viewer to play after this long (it is not a measurement). */
const WARM_UP_TIMEOUT_MS = 15_000;
const POLL_MS = 250;

export async function warmUp(browser: Browser, src: string, tracker: string): Promise<void> {
  const viewer = await openViewer(browser, { src, tracker, p2p: false });
  try {
    const deadline = performance.now() + WARM_UP_TIMEOUT_MS;
    while (performance.now() < deadline && (await viewer.report()).startupMs === null) await sleep(POLL_MS);
  } finally {
    await viewer.close();
  }
}
