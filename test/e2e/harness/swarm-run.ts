/**
 * One run of N viewer pages on one stream: they join spread evenly over a time window, play, and
 * their reports are read at the end. While it runs, the origin's copy of every segment a viewer
 * reports is hashed (a live window slides) so the caller can check the bytes afterwards.
 */
import { setMaxListeners } from 'node:events';
import type { Browser } from 'playwright-core';
import type { ViewerReport } from '@swarmcast/web';
import type { OriginHashes } from './origin-hashes.js';
import { every, joinOffsetMs, sessionWindows, sleep } from './schedule.js';
import type { ChurnEvent } from './schedule.js';
import { closeAll, toError } from './close-all.js';
import { openViewer } from './viewer.js';
import type { ViewerHandle } from './viewer.js';

/** How often the run reads the viewers' reports to hash the origin's segments. */
const HASH_POLL_INTERVAL_MS = 2000;
/** How often a progress line is logged. */
const PROGRESS_INTERVAL_MS = 10_000;

export interface SwarmRunOptions {
  readonly browser: Browser;
  /** The browser of viewer slot i (e.g. one per network namespace); default: `browser` for all. */
  readonly browserFor?: (slot: number) => Browser;
  /** Viewers that leave mid-run and are replaced by a new page (a new session) in the same slot. */
  readonly churn?: readonly ChurnEvent[];
  readonly src: string;
  /** The playlist URL of viewer slot i (e.g. with a per-viewer token); default: `src` for all. */
  readonly srcFor?: (slot: number) => string;
  readonly tracker: string;
  readonly p2p: boolean;
  /** The pages' `expectSeeder` param (an edge peer serves the viewers). @default false */
  readonly expectSeeder?: boolean;
  /** The pages' `catchUp` param (see ViewerOptions.catchUpRate). */
  readonly catchUpRate?: number;
  /** See ViewerOptions.paintVideo. @default true */
  readonly paintVideo?: boolean;
  /** See ViewerOptions.uploadCapKbps; P2P viewers only. @default none */
  readonly uploadCapKbps?: number;
  /** See ViewerOptions.uploadDelayTargetMs; P2P viewers only. @default the engine's */
  readonly uploadDelayTargetMs?: number;
  /** See ViewerOptions.engine; P2P viewers only. @default none */
  readonly engine?: Readonly<Record<string, number>>;
  /**
   * The viewer page, relative to the stream's URL (e.g. '/shaka.html') or absolute (a page on
   * another server than the stream's), or one per slot (players mixed in one swarm); default: the
   * hls.js page on the stream's server.
   */
  readonly page?: string | ((slot: number) => string);
  readonly viewers: number;
  /** Viewer i joins at i * joinSpreadMs / (viewers - 1). */
  readonly joinSpreadMs: number;
  /** How long viewers play; see `until`. */
  readonly durationMs: number;
  /**
   * 'each': a viewer plays durationMs from its own join, then reports and leaves (closes), so its
   * counters cover all it fetched; 'together': all play until joinSpreadMs + durationMs.
   */
  readonly until: 'each' | 'together';
  /** See ViewerOptions.loadTimeoutMs. @default Playwright's */
  readonly loadTimeoutMs?: number;
  /** When given, the origin's copy of every reported segment is hashed during the run. */
  readonly hashes?: OriginHashes;
  /** Progress and page errors, one line each. */
  readonly log?: (line: string) => void;
}

/** Every session's report (one per page opened: `viewers` plus one per churn event), slot by slot. */
export async function runSwarm(options: SwarmRunOptions): Promise<ViewerReport[]> {
  const { viewers, log } = options;
  /** Open viewers (a viewer that left is undefined again). */
  const handles: (ViewerHandle | undefined)[] = new Array<ViewerHandle | undefined>(viewers).fill(undefined);
  const reports: ViewerReport[][] = Array.from({ length: viewers }, () => []);
  const abort = new AbortController();
  // Each viewer's sleeps listen on it (two per session, churn adds sessions): not a leak.
  setMaxListeners(4 * viewers + 16, abort.signal);
  const startedAt = performance.now();
  const endAtAll = options.joinSpreadMs + options.durationMs;

  const readOpen = async (): Promise<ViewerReport[]> => {
    const open = handles.filter((h): h is ViewerHandle => h !== undefined);
    const settled = await Promise.allSettled(open.map((h) => h.report()));
    return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  };
  const onPollError = (error: unknown): void => { log?.(`poll failed: ${String(error)}`); };
  const { hashes } = options;
  const hashPoll = hashes
    ? every(HASH_POLL_INTERVAL_MS, async () => { await hashes.add((await readOpen()).flatMap((r) => r.segments)); }, onPollError)
    : null;
  const progress = log
    ? every(PROGRESS_INTERVAL_MS, async () => { log(progressLine(performance.now() - startedAt, await readOpen())); }, onPollError)
    : null;

  const runViewer = async (i: number): Promise<void> => {
    const joinAt = joinOffsetMs(i, viewers, options.joinSpreadMs);
    const endAt = options.until === 'each' ? joinAt + options.durationMs : endAtAll;
    const windows = sessionWindows(joinAt, endAt, (options.churn ?? []).filter((c) => c.slot === i));
    const browser = options.browserFor?.(i) ?? options.browser;
    for (const [session, window] of windows.entries()) {
      await sleep(startedAt + window.openAtMs - performance.now(), abort.signal);
      const tag = session === 0 ? `viewer#${i}` : `viewer#${i}.${session}`;
      const onConsole = log ? (line: string): void => { log(`${tag} ${line}`); } : undefined;
      const { tracker, p2p } = options;
      const src = options.srcFor?.(i) ?? options.src;
      const page = typeof options.page === 'function' ? options.page(i) : options.page;
      const pageUrl = page === undefined ? undefined : new URL(page, src).href;
      const handle = await openViewer(browser, { src, tracker, p2p, ...(options.expectSeeder === true ? { expectSeeder: true } : {}), ...(options.catchUpRate === undefined ? {} : { catchUpRate: options.catchUpRate }), ...(options.paintVideo === false ? { paintVideo: false } : {}), ...(p2p && options.uploadCapKbps !== undefined ? { uploadCapKbps: options.uploadCapKbps } : {}), ...(p2p && options.uploadDelayTargetMs !== undefined ? { uploadDelayTargetMs: options.uploadDelayTargetMs } : {}), ...(p2p && options.engine !== undefined ? { engine: options.engine } : {}), ...(onConsole ? { onConsole } : {}), ...(pageUrl === undefined ? {} : { pageUrl }), ...(options.loadTimeoutMs === undefined ? {} : { loadTimeoutMs: options.loadTimeoutMs }) });
      handles[i] = handle;
      log?.(`${tag} joined at ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
      await sleep(startedAt + window.closeAtMs - performance.now(), abort.signal);
      const report = await handle.report();
      reports[i]?.push(report);
      const last = session === windows.length - 1;
      if (options.until === 'each' || !last) {
        // Hash its last segments now: by the end of the run a live window may have dropped them.
        if (hashes) await hashes.add(report.segments);
        handles[i] = undefined;
        await handle.close();
        if (!last) log?.(`${tag} left at ${((performance.now() - startedAt) / 1000).toFixed(1)} s (churn)`);
      }
    }
  };

  try {
    // The first failure stops the others (their sleeps abort); it is the one reported.
    let firstError: unknown = null;
    await Promise.all(
      Array.from({ length: viewers }, (_, i) =>
        runViewer(i).catch((error: unknown) => {
          if (abort.signal.aborted) return;
          firstError = error;
          abort.abort(error);
        }),
      ),
    );
    if (firstError !== null) throw toError(firstError);
    const done = reports.flat();
    if (hashes) await hashes.add(done.flatMap((r) => r.segments));
    return done;
  } finally {
    await Promise.all([hashPoll?.stop(), progress?.stop()]);
    await closeAll(handles.map((h) => () => h?.close()));
  }
}

function progressLine(elapsedMs: number, reports: readonly ViewerReport[]): string {
  const cells = reports.map((r) => {
    const total = r.p2pBytes + r.httpBytes;
    const share = total > 0 ? Math.round((100 * r.p2pBytes) / total) : 0;
    return `${r.startupMs === null ? 'starting' : r.playing ? 'play' : 'STALL'} p2p=${share}% peers=${r.peers} stalls=${r.stalls}`;
  });
  return `t=${(elapsedMs / 1000).toFixed(0)}s ${cells.join(' | ')}`;
}
