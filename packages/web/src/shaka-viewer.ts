/**
 * The Shaka viewer page (shaka.html): plays an HLS or DASH stream with Shaka Player through
 * Swarmcast, shows live stats, and exposes the same `window.__swarmcastReport()` as the hls.js page
 * (main.ts) for the e2e harness. `p2p=0` plays with plain Shaka Player over HTTP (the baseline).
 */
import { liveLatencySec, shaka } from '@swarmcast/shaka';
import { QoeMonitor } from './qoe-monitor.js';
import { SegmentRecorder } from './segment-recorder.js';
import { createShakaP2pDelivery } from './shaka-delivery.js';
import type { ShakaDelivery } from './shaka-delivery.js';
import { ShakaErrorLog } from './shaka-errors.js';
import { createShakaHttpDelivery } from './shaka-http-delivery.js';
import { StatsPanel } from './stats-panel.js';
import { parseViewerParams } from './viewer-params.js';
import type { ViewerReport } from './viewer-report.js';

/** The stats panel refreshes this often. */
const PANEL_REFRESH_MS = 1000;

function requireElement<T extends HTMLElement>(selector: string, type: new () => T): T {
  const element = document.querySelector(selector);
  if (!(element instanceof type)) throw new Error(`viewer page: missing ${selector}`);
  return element;
}

function showError(message: string): void {
  const box = document.querySelector('#error');
  if (box instanceof HTMLElement) {
    box.textContent = message;
    box.hidden = false;
  }
}

async function start(): Promise<void> {
  const params = parseViewerParams(location, window.SWARMCAST_TRACKER_URL);
  const mode = document.querySelector('#mode');
  if (mode) mode.textContent = params.p2p ? 'P2P on (Shaka Player)' : 'P2P off (plain Shaka Player)';
  mode?.classList.toggle('off', !params.p2p);
  const source = document.querySelector('#source');
  if (source) source.textContent = params.p2p ? `${params.src} · tracker ${params.trackerUrl}` : params.src;
  shaka.polyfill.installAll();
  if (!shaka.Player.isBrowserSupported()) throw new Error('this browser cannot run Shaka Player (no MediaSource)');

  const video = requireElement('#video', HTMLVideoElement);
  video.muted = true;
  video.autoplay = true;
  const recorder = new SegmentRecorder();
  const delivery: ShakaDelivery = params.p2p
    ? createShakaP2pDelivery(params.trackerUrl, recorder, { privacy: params.privacy, trackerUrls: params.trackerUrls })
    : createShakaHttpDelivery();
  const player = new shaka.Player();
  const errors = new ShakaErrorLog(player);
  await player.attach(video);
  delivery.attach(player);
  const qoe = new QoeMonitor(video, {
    get latency() { return liveLatencySec(player, video) ?? 0; },
    get live() { return player.isLive(); },
  });

  const report = (): ViewerReport => ({
    p2p: params.p2p,
    ...qoe.snapshot(),
    ...delivery.stats(),
    hlsErrors: [...errors.all],
    hlsFatalErrors: [...errors.fatal],
    segments: recorder.list(),
  });
  window.__swarmcastReport = report;
  window.__swarmcastSettled = () => recorder.settled();

  const panel = new StatsPanel(requireElement('#stats', HTMLElement));
  const refresh = setInterval(() => { panel.render(report()); }, PANEL_REFRESH_MS);
  window.addEventListener('pagehide', () => {
    clearInterval(refresh);
    qoe.destroy();
    errors.destroy();
    delivery.destroy();
    void player.destroy();
  }, { once: true });

  await player.load(params.src);
  await video.play().catch((error: unknown) => {
    console.warn('[swarmcast-web] play() was refused', error);
  });
}

start().catch((error: unknown) => {
  showError(error instanceof Error ? error.message : String(error));
  console.error('[swarmcast-web] Shaka viewer failed', error);
});
