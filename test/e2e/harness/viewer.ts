/**
 * One viewer: the Swarmcast viewer page in its own browser context (its own cookies, cache and
 * WebRTC stack), with camera+microphone granted so Chromium gathers loopback ICE candidates.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ViewerReport } from '@swarmcast/web';

/** The bundle `npm run build:web` writes; the page is useless without it. */
export const VIEWER_BUNDLE = join(import.meta.dirname, '..', '..', '..', 'packages', 'web', 'public', 'build', 'main.js');

/** How long a page may take to load and define window.__swarmcastReport. */
const REPORT_HOOK_TIMEOUT_MS = 15_000;
/**
 * The viewer pages' window: small, as the picture is not under test. Chromium composites every page
 * in software here; at Playwright's default 1280x720, six playing pages cost the GPU process ~0.45
 * of a core (measured: 21 CPU s in 48 s; 6 CPU s at this size), CPU the players then lack.
 */
const VIEWPORT = { width: 320, height: 240 } as const;

/** Init script of ViewerOptions.paintVideo false: a style hiding every video, before the page's own. */
const HIDE_VIDEO_SCRIPT = `new MutationObserver((_, observer) => {
  if (!document.head) return;
  observer.disconnect();
  const style = document.createElement('style');
  style.textContent = 'video { display: none !important; }';
  document.head.append(style);
}).observe(document, { childList: true, subtree: true });`;

export interface ViewerOptions {
  /** Playlist URL. */
  readonly src: string;
  /** Tracker WebSocket URL (ignored when p2p is false). */
  readonly tracker: string;
  /** More tracker URLs after `tracker` (cluster nodes the page tries in turn: repeated `tracker` params). */
  readonly moreTrackers?: readonly string[];
  readonly p2p: boolean;
  /** Swarmcast's privacy mode (TURN relays only): the page's `privacy=1`. @default false */
  readonly privacy?: boolean;
  /** Group label (the page's `group` param): the tracker introduces the viewer only within it. */
  readonly group?: string;
  /** The page's `expectSeeder` param: an edge peer serves this viewer (EngineConfig.expectSeeder). */
  readonly expectSeeder?: boolean;
  /** The page's `catchUp` param: hls.js may play up to this fast to get back to its live latency target. @default 1 */
  readonly catchUpRate?: number;
  /** The page's `records` param: live records over HTTP while the tracker is down (EngineConfig.integrityRecordsUrl). */
  readonly recordsUrl?: string;
  /** The page's `joinDelay` param (EngineConfig.maxJoinDelayMs): 0 joins the swarm at once. @default Swarmcast's */
  readonly joinDelayMs?: number;
  /**
   * False hides the page's video element (display: none): the player still buffers, decodes and
   * plays in real time, but headless Chromium no longer paints its frames, which it does in
   * software here (about half of a plain hls.js page's CPU at 30 fps on this machine; a viewer's
   * device composites video on its GPU). @default true
   */
  readonly paintVideo?: boolean;
  /** The page's `uploadCap` param, kbit/s (Swarmcast's uploadCapBytesPerSec). @default none */
  readonly uploadCapKbps?: number;
  /** The page's `uploadDelayTarget` param, ms (Swarmcast's uploadDelayTargetMs; 0: no delay-based pace). @default the engine's */
  readonly uploadDelayTargetMs?: number;
  /** The page's `level` param: plays only this hls.js level, ABR off. @default ABR */
  readonly level?: number;
  /** The page's `buffer` param: how far ahead hls.js buffers, s. @default hls.js's */
  readonly bufferSec?: number;
  /** The page's `engine` param: numeric EngineConfig settings by name. @default none */
  readonly engine?: Readonly<Record<string, number>>;
  /** Runs on the viewer's fresh context before the page loads (e.g. to add an init script). */
  readonly prepare?: (context: BrowserContext) => Promise<void>;
  /** Where the viewer page is served; default: index.html on the playlist's origin. */
  readonly pageUrl?: string;
  /** Console lines of the page are passed here (errors and warnings only unless verbose). */
  readonly onConsole?: (line: string) => void;
  /** How long the page may take to load (its 'load' event), ms. @default Playwright's 30 s */
  readonly loadTimeoutMs?: number;
}

export interface ViewerHandle {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly url: string;
  report(): Promise<ViewerReport>;
  /** Closes the page and its context; idempotent. */
  close(): Promise<void>;
}

/** Throws a clear error when the viewer bundle has not been built. */
export function assertViewerBuilt(): void {
  if (!existsSync(VIEWER_BUNDLE)) {
    throw new Error(`e2e: viewer bundle ${VIEWER_BUNDLE} is missing: run npm run build:web first`);
  }
}

export function viewerUrl(options: ViewerOptions): string {
  const url = new URL(options.pageUrl ?? '/index.html', options.src);
  url.searchParams.set('src', options.src);
  url.searchParams.set('tracker', options.tracker);
  for (const tracker of options.moreTrackers ?? []) url.searchParams.append('tracker', tracker);
  url.searchParams.set('p2p', options.p2p ? '1' : '0');
  if (options.privacy === true) url.searchParams.set('privacy', '1');
  if (options.group !== undefined) url.searchParams.set('group', options.group);
  if (options.expectSeeder === true) url.searchParams.set('expectSeeder', '1');
  if (options.catchUpRate !== undefined) url.searchParams.set('catchUp', String(options.catchUpRate));
  if (options.recordsUrl !== undefined) url.searchParams.set('records', options.recordsUrl);
  if (options.joinDelayMs !== undefined) url.searchParams.set('joinDelay', String(options.joinDelayMs));
  if (options.uploadCapKbps !== undefined) url.searchParams.set('uploadCap', String(options.uploadCapKbps));
  if (options.uploadDelayTargetMs !== undefined) url.searchParams.set('uploadDelayTarget', String(options.uploadDelayTargetMs));
  if (options.level !== undefined) url.searchParams.set('level', String(options.level));
  if (options.bufferSec !== undefined) url.searchParams.set('buffer', String(options.bufferSec));
  const engine = Object.entries(options.engine ?? {});
  if (engine.length > 0) url.searchParams.set('engine', engine.map(([key, value]) => `${key}=${value}`).join(','));
  return url.href;
}

export async function openViewer(browser: Browser, options: ViewerOptions): Promise<ViewerHandle> {
  assertViewerBuilt();
  const url = viewerUrl(options);
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    await context.grantPermissions(['camera', 'microphone'], { origin: new URL(url).origin });
    if (options.paintVideo === false) await context.addInitScript({ content: HIDE_VIDEO_SCRIPT });
    await options.prepare?.(context);
    const page = await context.newPage();
    const log = options.onConsole;
    if (log) {
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') log(`[${message.type()}] ${message.text()}`);
      });
      page.on('pageerror', (error) => { log(`[pageerror] ${error.message}`); });
    }
    await page.goto(url, { waitUntil: 'load', ...(options.loadTimeoutMs === undefined ? {} : { timeout: options.loadTimeoutMs }) });
    await waitForReportHook(page, url);
    return createHandle(page, context, url);
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** Waits for the page to define its report hook; on failure, says what the page showed. */
async function waitForReportHook(page: Page, url: string): Promise<void> {
  try {
    await page.waitForFunction(() => typeof window.__swarmcastReport === 'function', undefined, { timeout: REPORT_HOOK_TIMEOUT_MS });
  } catch (error) {
    const shown = await page.locator('#error').textContent().catch(() => null);
    throw new Error(`viewer page ${url} did not start${shown ? `: ${shown}` : ''}`, { cause: error });
  }
}

function createHandle(page: Page, context: BrowserContext, url: string): ViewerHandle {
  let closed: Promise<void> | null = null;
  return {
    page,
    context,
    url,
    report: () =>
      page.evaluate(async () => {
        // Hashes are async: wait for the pending ones so segments and byte counters agree.
        await window.__swarmcastSettled?.();
        const report = window.__swarmcastReport;
        if (!report) throw new Error('viewer page: window.__swarmcastReport is not defined');
        return report();
      }),
    close(): Promise<void> {
      closed ??= context.close();
      return closed;
    },
  };
}
