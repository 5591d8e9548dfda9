/**
 * One benchmark run: N viewer pages (Swarmcast or plain hls.js) on the stack's stream, the origin's
 * counters reset first, every segment's bytes checked against the origin's copy.
 */
import type { Browser } from 'playwright-core';
import type { ViewerReport } from '@swarmcast/web';
import { OriginHashes } from '../../test/e2e/harness/origin-hashes.js';
import type { Stack } from '../../test/e2e/harness/stack.js';
import { runSwarm } from '../../test/e2e/harness/swarm-run.js';
import type { BenchArgs } from './args.js';
import type { ChurnEvent } from '../../test/e2e/harness/schedule.js';
import { startCpuMonitor } from './cpu-monitor.js';
import { httpCopies } from './http-copies.js';
import type { HttpCopies } from './http-copies.js';
import type { ViewerSlot } from './netns-testbed.js';
import { sanityWarnings } from './sanity.js';
import { startShapingMonitor } from './shaping-monitor.js';
import type { ShapingFigures } from './shaping-monitor.js';
import { startupSteps } from './startup-steps.js';
import type { StartupSteps } from './startup-steps.js';
import { summarizeRun, wirePerChannelByte } from './stats.js';
import type { RunSummary } from './stats.js';

/**
 * How long a viewer page may take to load. With 12 viewers the 2 cores saturate and a joiner's page
 * has taken over Playwright's 30 s, which ended the whole run; its slow start is a figure to report
 * (startupTimeline), not a reason to lose the run.
 */
const PAGE_LOAD_TIMEOUT_MS = 120_000;

/** Per viewer, the report without its segment list. */
export type ViewerFiguresOut = Omit<ViewerReport, 'segments'> & { readonly segments: number };

export interface BenchRun extends RunSummary {
  /** Segments whose bytes matched the origin's / did not. */
  readonly integrity: { readonly verified: number; readonly verifiedP2p: number; readonly mismatches: number; readonly unchecked: number };
  readonly perViewer: readonly ViewerFiguresOut[];
  /** Where the HTTP segment fetches went (startup or steady, extra copies of one segment). */
  readonly httpCopies: HttpCopies;
  /** Why the figures may be wrong; empty when every cross-check passed. */
  readonly warnings: readonly string[];
  /**
   * CPU seconds of the browser processes during the run / viewers / duration: each viewer slot is
   * present `duration` seconds, so this is CPU per viewer per second of viewing (1 = one core).
   */
  readonly cpuPerViewer: number;
  /**
   * Constrained mode only: what the viewers really uploaded, and the tbf counters. `wirePerChannelByte`:
   * the bytes tbf let out over the bytes the viewers handed their DataChannels (segment bytes and
   * control): what the transport's packet headers, SACKs and the viewers' HTTP requests add (null
   * when nothing went to peers).
   */
  readonly shaping: (ShapingFigures & { readonly wirePerChannelByte: number | null }) | null;
  /** Where startup went: the mean of each step of the pages' startup timelines. */
  readonly startupSteps: StartupSteps;
}

/** Where the viewers run: the browser of each slot, and the network namespaces to find their processes in. */
export interface BenchBrowsers {
  readonly browserFor: (slot: number) => Browser;
  readonly nsIds: readonly string[];
  /** Constrained mode's per-viewer namespaces; null on loopback. */
  readonly slots: readonly ViewerSlot[] | null;
}

export async function benchRun(
  browsers: BenchBrowsers,
  stack: Stack,
  args: BenchArgs,
  p2p: boolean,
  churn: readonly ChurnEvent[],
  log?: (line: string) => void,
): Promise<BenchRun> {
  const { origin, tracker } = stack;
  const src = args.mode === 'live' ? origin.liveMasterUrl : origin.vodMasterUrl;
  const hashes = new OriginHashes(origin, args.mode);
  origin.resetStats();
  const cpu = startCpuMonitor(browsers.nsIds);
  const shaping = browsers.slots ? startShapingMonitor(browsers.slots) : null;
  const reports = await runSwarm({
    browser: browsers.browserFor(0),
    browserFor: browsers.browserFor,
    churn,
    src,
    tracker: tracker.url,
    p2p,
    viewers: args.viewers,
    joinSpreadMs: args.joinSpreadSec * 1000,
    durationMs: args.durationSec * 1000,
    until: 'each',
    paintVideo: args.paintVideo,
    loadTimeoutMs: PAGE_LOAD_TIMEOUT_MS,
    ...(args.engineCapKbps === null ? {} : { uploadCapKbps: args.engineCapKbps }),
    ...(args.engineDelayTargetMs === null ? {} : { uploadDelayTargetMs: args.engineDelayTargetMs }),
    ...(Object.keys(args.engineOverrides).length === 0 ? {} : { engine: args.engineOverrides }),
    hashes,
    ...(log ? { log } : {}),
  });
  const cpuSec = await cpu.stop();
  const shapingFigures = (await shaping?.stop()) ?? null;
  const segmentBytesFromOrigin = origin.stats().segmentBytes;
  const check = hashes.check(reports);
  return {
    ...summarizeRun(reports, { durationSec: args.durationSec, segmentBytesFromOrigin, viewers: args.viewers }),
    integrity: {
      verified: check.verified,
      verifiedP2p: check.verifiedP2p,
      mismatches: check.mismatches.length,
      unchecked: check.unavailable.length,
    },
    perViewer: reports.map(({ segments, ...rest }) => ({ ...rest, segments: segments.length })),
    httpCopies: httpCopies(reports.map((r) => r.segments)),
    warnings: sanityWarnings(p2p ? 'swarmcast' : 'baseline', reports, segmentBytesFromOrigin, check),
    cpuPerViewer: Math.round((cpuSec / args.viewers / args.durationSec) * 10_000) / 10_000,
    shaping: shapingFigures === null ? null : { ...shapingFigures, wirePerChannelByte: wirePerChannelByte(shapingFigures.qdisc.sentBytes, reports) },
    startupSteps: startupSteps(reports.map((r) => r.startupTimeline)),
  };
}
