/**
 * One run of N viewers on the LL-HLS origin (live only), as a formats run: a fresh tracker whose
 * integrity authority signs the LL stream, the LL origin's counters reset, and every segment or
 * part a viewer got from peers checked against the origin's bytes while the run goes on (the
 * origin keeps a window of segments only).
 */
import type { Browser } from 'playwright-core';
import { generateSigningKey } from '@swarmcast/integrity';
import type { LlOrigin } from '@swarmcast/origin';
import { startTracker } from '@swarmcast/tracker';
import type { FormatRunResult } from './formats-run.js';
import { fromPeersOnly, llRenditionBytes } from './ll-hashes.js';
import { OriginHashes } from './origin-hashes.js';
import { runSwarm } from './swarm-run.js';

export interface LlRunOptions {
  readonly browser: Browser;
  readonly ll: LlOrigin;
  /** The hls.js viewer page, absolute (it is served by another server than the LL origin). */
  readonly page: string;
  readonly viewers: number;
  readonly joinSpreadMs: number;
  /** Everyone plays until this long after the last join. */
  readonly playAfterLastJoinMs: number;
  /** false: plain hls.js viewers (LL mode, the baseline). */
  readonly p2p: boolean;
  readonly log?: (line: string) => void;
}

export async function runLl(options: LlRunOptions): Promise<FormatRunResult> {
  const { ll } = options;
  const startedAt = performance.now();
  const tracker = await startTracker({ port: 0, integrity: { signingKeyPkcs8: generateSigningKey().privateKeyPkcs8, streams: [ll.masterUrl] } });
  try {
    ll.resetStats();
    // Plain hls.js records parts under its level index like segments: nothing of it is checked.
    const hashes = options.p2p ? new OriginHashes(llRenditionBytes(ll)) : undefined;
    const reports = await runSwarm({
      browser: options.browser,
      src: ll.masterUrl,
      page: options.page,
      tracker: tracker.url,
      p2p: options.p2p,
      viewers: options.viewers,
      joinSpreadMs: options.joinSpreadMs,
      durationMs: options.playAfterLastJoinMs,
      until: 'together',
      ...(hashes === undefined ? {} : { hashes }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    return {
      reports,
      check: hashes?.check(fromPeersOnly(reports)) ?? { verified: 0, verifiedP2p: 0, mismatches: [], unavailable: [] },
      origin: ll.stats(),
      signalsRelayed: tracker.stats().signalsRelayed,
      wallMs: Math.round(performance.now() - startedAt),
    };
  } finally {
    await tracker.close();
  }
}
