/**
 * One tracker-outage run: N viewer pages join, play; the tracker is killed (SIGKILL) for
 * `outageSec` and started again; the pages play on for `afterSec`. Reports are read at the kill,
 * at the restart and at the end.
 */
import type { Browser } from 'playwright-core';
import type { ViewerReport } from '@swarmcast/web';
import { closeAll } from '../../test/e2e/harness/close-all.js';
import { joinOffsetMs, sleep } from '../../test/e2e/harness/schedule.js';
import { openViewer } from '../../test/e2e/harness/viewer.js';
import type { ViewerHandle } from '../../test/e2e/harness/viewer.js';
import type { OutageStack } from './outage-stack.js';
import { outageFigures } from './outage-figures.js';
import type { OutageFigures, OutageTimes } from './outage-figures.js';
import { summarizeRun } from './stats.js';
import type { RunSummary } from './stats.js';

export interface OutageRunOptions {
  readonly viewers: number;
  readonly joinSpreadSec: number;
  /** Play time after the last join before the kill. */
  readonly beforeSec: number;
  readonly outageSec: number;
  /** Play time after the restart. */
  readonly afterSec: number;
  readonly p2p: boolean;
  readonly log?: (line: string) => void;
}

export interface OutageRun extends RunSummary, OutageFigures {
  readonly times: OutageTimes;
  readonly perViewer: readonly Omit<ViewerReport, 'segments'>[];
}

export async function outageRun(stack: OutageStack, browser: Browser, options: OutageRunOptions): Promise<OutageRun> {
  const { origin } = stack;
  const log = options.log;
  origin.resetStats();
  const handles: ViewerHandle[] = [];
  const startedAt = performance.now();
  try {
    for (let i = 0; i < options.viewers; i++) {
      await sleep(startedAt + joinOffsetMs(i, options.viewers, options.joinSpreadSec * 1000) - performance.now());
      const viewer = { src: origin.liveMasterUrl, tracker: stack.trackerUrl, p2p: options.p2p, ...(stack.recordsUrl === undefined ? {} : { recordsUrl: stack.recordsUrl }) };
      handles.push(await openViewer(browser, log ? { ...viewer, onConsole: (line: string) => { log(`viewer#${i} ${line}`); } } : viewer));
    }
    const readAll = (): Promise<ViewerReport[]> => Promise.all(handles.map((h) => h.report()));
    // The share before the kill counts the second half of the time before it: past the startups.
    await sleep(startedAt + (options.joinSpreadSec + options.beforeSec / 2) * 1000 - performance.now());
    const atStart = await readAll();
    await sleep(startedAt + (options.joinSpreadSec + options.beforeSec) * 1000 - performance.now());
    const atKill = await readAll();
    const killAtMs = Date.now();
    await stack.kill();
    log?.(`tracker killed (SIGKILL); down for ${options.outageSec} s`);
    await sleep(killAtMs + options.outageSec * 1000 - Date.now());
    const atRestart = await readAll();
    await stack.restart();
    const restartAtMs = Date.now();
    log?.(`tracker restarted (pid ${stack.trackerPid ?? '?'}); playing ${options.afterSec} s more`);
    await sleep(restartAtMs + options.afterSec * 1000 - Date.now());
    const final = await readAll();
    const times = { killAtMs, restartAtMs };
    const durationSec = (performance.now() - startedAt) / 1000;
    return {
      ...summarizeRun(final, { durationSec, segmentBytesFromOrigin: origin.stats().segmentBytes, viewers: options.viewers }),
      ...outageFigures(times, atStart, atKill, atRestart, final),
      times,
      perViewer: final.map(({ segments: _segments, ...rest }) => rest),
    };
  } finally {
    await closeAll(handles.map((h) => () => h.close()));
  }
}
