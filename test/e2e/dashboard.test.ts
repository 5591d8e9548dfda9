/**
 * The tracker dashboard in real Chromium: 4 viewers play the live stream with Swarmcast (their
 * engines send summaries to the tracker), a fifth page opens /dashboard. It must show the 4 viewers
 * and a P2P share within a few points of the one computed from the viewers' own reports (as the
 * benchmark does: p2p bytes / all segment bytes), and draw its plots. A screenshot is saved.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { MonitoringData } from '@swarmcast/tracker';
import { assertChromiumInstalled, launchBrowser } from './harness/browser.js';
import type { LaunchedBrowser } from './harness/browser.js';
import { closeAll } from './harness/close-all.js';
import { joinOffsetMs, sleep } from './harness/schedule.js';
import { startStack } from './harness/stack.js';
import type { Stack } from './harness/stack.js';
import { assertViewerBuilt, openViewer } from './harness/viewer.js';
import type { ViewerHandle } from './harness/viewer.js';

const VIEWERS = 4;
const JOIN_SPREAD_MS = 6_000;
const PLAY_AFTER_LAST_JOIN_MS = 40_000;
/** The dashboard lags the viewers by up to one summary interval (5 s) and one poll (2 s). */
const SHARE_TOLERANCE_POINTS = 5;
/** The P2P series colour of dashboard.js (COLORS.p2p, #2b8a3e). */
const P2P_RGB = [0x2b, 0x8a, 0x3e] as const;

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

interface CanvasFigures {
  width: number;
  height: number;
  /** Pixels that are not (nearly) white or transparent. */
  inked: number;
  /** Pixels of the P2P series colour. */
  p2pColored: number;
}

/** Counts the inked pixels of every plot canvas, in the page (same origin, so getImageData works). */
function canvasFigures(page: Page): Promise<CanvasFigures[]> {
  return page.evaluate((rgb) => {
    return [...document.querySelectorAll<HTMLCanvasElement>('.plot canvas')].map((canvas) => {
      const ctx = canvas.getContext('2d');
      const { width, height } = canvas;
      let inked = 0;
      let p2pColored = 0;
      if (ctx && width > 0 && height > 0) {
        const px = ctx.getImageData(0, 0, width, height).data;
        for (let i = 0; i < px.length; i += 4) {
          const [r = 0, g = 0, b = 0, a = 0] = [px[i], px[i + 1], px[i + 2], px[i + 3]];
          if (a > 32 && (r < 235 || g < 235 || b < 235)) inked += 1;
          if (a > 200 && Math.abs(r - rgb[0]) < 24 && Math.abs(g - rgb[1]) < 24 && Math.abs(b - rgb[2]) < 24) p2pColored += 1;
        }
      }
      return { width, height, inked, p2pColored };
    });
  }, P2P_RGB);
}

function shareOnPage(text: string | null): number {
  const match = /^([\d.]+) %$/.exec(text ?? '');
  assert.ok(match?.[1] !== undefined, `P2P share shown as ${JSON.stringify(text)}`);
  return Number(match[1]);
}

void test('dashboard: shows the 4 viewers and their P2P share, and draws the plots', { timeout: JOIN_SPREAD_MS + PLAY_AFTER_LAST_JOIN_MS + 90_000 }, async (t) => {
  if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
  const { origin, tracker } = stack;
  const chromium = browser.browser;
  const outDir = await mkdtemp(join(tmpdir(), 'swarmcast-dashboard-e2e-'));
  const viewers: ViewerHandle[] = [];
  const dashboardContext = await chromium.newContext({ viewport: { width: 1280, height: 1100 } });
  try {
    const startedAt = performance.now();
    const log = (line: string): void => { t.diagnostic(line); };
    const opened = Array.from({ length: VIEWERS }, async (_, i) => {
      await sleep(joinOffsetMs(i, VIEWERS, JOIN_SPREAD_MS));
      const handle = await openViewer(chromium, { src: origin.liveMasterUrl, tracker: tracker.url, p2p: true, onConsole: (l) => { log(`viewer#${i} ${l}`); } });
      viewers.push(handle);
    });
    const dashboard = await dashboardContext.newPage();
    dashboard.on('pageerror', (error) => { log(`[dashboard pageerror] ${error.message}`); });
    await dashboard.goto(`${tracker.httpUrl}/dashboard`, { waitUntil: 'load' });
    await Promise.all(opened);
    await sleep(startedAt + JOIN_SPREAD_MS + PLAY_AFTER_LAST_JOIN_MS - performance.now());

    // The viewers' own figures, as the benchmark computes the share.
    const reports = await Promise.all(viewers.map((v) => v.report()));
    const p2pBytes = reports.reduce((n, r) => n + r.p2pBytes, 0);
    const allBytes = reports.reduce((n, r) => n + r.p2pBytes + r.httpBytes, 0);
    const viewersShare = (100 * p2pBytes) / allBytes;
    t.diagnostic(`viewers: ${reports.map((r) => `http=${r.httpBytes} p2p=${r.p2pBytes} stalls=${r.stalls}`).join(' | ')}; share ${viewersShare.toFixed(1)} %`);
    assert.ok(p2pBytes > 0, 'the viewers got bytes from peers');

    // The tracker's own view, then the page's.
    const response = await fetch(`${tracker.httpUrl}/dashboard/data.json`);
    const data = (await response.json()) as MonitoringData;
    const stream = data.streams.find((s) => s.id === origin.liveMasterUrl);
    assert.ok(stream, `the live stream is on the dashboard: ${JSON.stringify(data.streams.map((s) => s.id))}`);
    assert.equal(stream.viewers, VIEWERS);
    assert.equal(stream.reporters, VIEWERS, 'every viewer sent summaries');
    await dashboard.waitForFunction((n) => document.querySelector('[data-field="viewers"]')?.textContent === String(n), VIEWERS, { timeout: 10_000 });
    const shown = shareOnPage(await dashboard.locator('[data-field="p2p-share"]').first().textContent());
    t.diagnostic(`dashboard: ${shown} % P2P (tracker ${(stream.p2pShare * 100).toFixed(1)} %), viewers' reports ${viewersShare.toFixed(1)} %`);
    assert.ok(Math.abs(shown - viewersShare) <= SHARE_TOLERANCE_POINTS, `dashboard share ${shown} % vs viewers' ${viewersShare.toFixed(1)} %`);

    // The plots: three canvases, each drawn, and the P2P series visible in the bandwidth and saved plots.
    const canvases = await canvasFigures(dashboard);
    t.diagnostic(`canvases: ${JSON.stringify(canvases)}`);
    assert.equal(canvases.length, 3, 'three plots for the one stream');
    for (const c of canvases) assert.ok(c.width > 0 && c.inked > 500, `a blank plot: ${JSON.stringify(c)}`);
    assert.ok((canvases[1]?.p2pColored ?? 0) > 50, 'the P2P bandwidth line is drawn');
    assert.ok((canvases[2]?.p2pColored ?? 0) > 500, 'the origin-egress-saved area is drawn');

    const screenshot = join(outDir, 'dashboard.png');
    const png = await dashboard.screenshot({ path: screenshot, fullPage: true });
    assert.ok(png.length > 10_000, `screenshot of ${png.length} bytes`);
    t.diagnostic(`screenshot: ${screenshot}`);
  } finally {
    await closeAll([...viewers.map((v) => () => v.close()), () => dashboardContext.close()]);
  }
});
