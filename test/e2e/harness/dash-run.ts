/**
 * One run of N Shaka Player viewers on the static DASH fixture (VOD), as a formats run: a fresh
 * tracker whose integrity authority signs the MPD, every segment a viewer reports checked against
 * the fixture's own hashes. The plain baseline (`p2p: false`, the Shaka page's `p2p=0`) records no
 * segments: nothing of it is checked.
 */
import type { Browser } from 'playwright-core';
import { generateSigningKey } from '@swarmcast/integrity';
import { startTracker } from '@swarmcast/tracker';
import { checkDashSegments } from './dash-hashes.js';
import type { DashHashes } from './dash-hashes.js';
import type { DashServer } from './dash-server.js';
import type { FormatRunResult } from './formats-run.js';
import { runSwarm } from './swarm-run.js';

export interface DashRunOptions {
  readonly browser: Browser;
  readonly dash: DashServer;
  readonly mpdUrl: string;
  readonly hashes: DashHashes;
  /** The Shaka viewer page, absolute (it is served by another server than the DASH files). */
  readonly page: string;
  readonly viewers: number;
  readonly joinSpreadMs: number;
  /** Everyone plays until this long after the last join. */
  readonly playAfterLastJoinMs: number;
  readonly p2p: boolean;
  readonly log?: (line: string) => void;
}

export async function runDash(options: DashRunOptions): Promise<FormatRunResult> {
  const { dash, mpdUrl } = options;
  const startedAt = performance.now();
  const tracker = await startTracker({ port: 0, integrity: { signingKeyPkcs8: generateSigningKey().privateKeyPkcs8, streams: [mpdUrl] } });
  try {
    const sentBefore = dash.segmentBytesSent();
    const reports = await runSwarm({
      browser: options.browser,
      src: mpdUrl,
      page: options.page,
      tracker: tracker.url,
      p2p: options.p2p,
      viewers: options.viewers,
      joinSpreadMs: options.joinSpreadMs,
      durationMs: options.playAfterLastJoinMs,
      until: 'together',
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    return {
      reports,
      check: checkDashSegments(options.hashes, reports),
      // The DASH server counts media segment bytes to viewers; it serves no keys and asks no token.
      origin: { segmentBytes: dash.segmentBytesSent() - sentBefore, keyRequests: 0, forbidden: 0 },
      signalsRelayed: tracker.stats().signalsRelayed,
      wallMs: Math.round(performance.now() - startedAt),
    };
  } finally {
    await tracker.close();
  }
}
