/**
 * One run of N viewers on one stream type of the formats catalog, live or VOD: a fresh tracker
 * (integrity authority of that stream), the origin's counters reset, every segment a viewer
 * reports checked against the origin's bytes.
 */
import type { Browser } from 'playwright-core';
import type { FormatMode, FormatType, OriginFormats, OriginStats } from '@swarmcast/origin';
import type { ViewerReport } from '@swarmcast/web';
import { formatSegmentBytes, formatSrc, startFormatTracker, viewerToken } from './formats-stack.js';
import { OriginHashes } from './origin-hashes.js';
import type { SegmentCheck } from './origin-hashes.js';
import type { Origin } from './stack.js';
import { runSwarm } from './swarm-run.js';

export interface FormatRunOptions {
  readonly browser: Browser;
  readonly origin: Origin & { readonly formats: OriginFormats };
  readonly type: FormatType;
  readonly mode: FormatMode;
  readonly viewers: number;
  readonly joinSpreadMs: number;
  /** Everyone plays until this long after the last join. */
  readonly playAfterLastJoinMs: number;
  /** false: plain hls.js viewers (the baseline). @default true */
  readonly p2p?: boolean;
  /** The viewer page (e.g. '/shaka.html', which plays the type with Shaka Player); default: the hls.js page. */
  readonly page?: string;
  readonly log?: (line: string) => void;
}

/** The origin counters a run reports (a server other than the formats origin fills what it can). */
export type RunOriginStats = Pick<OriginStats, 'segmentBytes' | 'keyRequests' | 'forbidden'>;

export interface FormatRunResult {
  readonly reports: readonly ViewerReport[];
  readonly check: SegmentCheck;
  /** What the origin served during the run (viewers and authority). */
  readonly origin: RunOriginStats;
  readonly signalsRelayed: number;
  readonly wallMs: number;
}

export async function runFormat(options: FormatRunOptions): Promise<FormatRunResult> {
  const { origin, type, mode } = options;
  const { formats } = origin;
  const startedAt = performance.now();
  const tracker = await startFormatTracker(formats, type, mode);
  try {
    origin.resetStats();
    const hashes = new OriginHashes(formatSegmentBytes(formats, type, mode));
    const reports = await runSwarm({
      browser: options.browser,
      src: formatSrc(formats, type, mode, viewerToken(0)),
      srcFor: (slot) => formatSrc(formats, type, mode, viewerToken(slot)),
      tracker: tracker.url,
      p2p: options.p2p ?? true,
      viewers: options.viewers,
      joinSpreadMs: options.joinSpreadMs,
      durationMs: options.playAfterLastJoinMs,
      until: 'together',
      hashes,
      ...(options.page === undefined ? {} : { page: options.page }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    return {
      reports,
      check: hashes.check(reports),
      origin: origin.stats(),
      signalsRelayed: tracker.stats().signalsRelayed,
      wallMs: Math.round(performance.now() - startedAt),
    };
  } finally {
    await tracker.close();
  }
}
