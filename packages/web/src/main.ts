/**
 * The viewer page (and demo): plays an HLS stream with hls.js, through Swarmcast unless `p2p=0`,
 * shows live stats, and exposes `window.__swarmcastReport()` for the e2e harness and the benchmark.
 */
import Hls from 'hls.js';
import type { Delivery } from './delivery.js';
import { HlsErrorLog } from './hls-errors.js';
import { createHttpDelivery } from './http-delivery.js';
import { createP2pDelivery } from './p2p-delivery.js';
import { QoeMonitor } from './qoe-monitor.js';
import { SegmentRecorder } from './segment-recorder.js';
import { StartupTimelineRecorder } from './startup-timeline.js';
import { StatsPanel } from './stats-panel.js';
import { parseViewerParams } from './viewer-params.js';
import type { ViewerParams } from './viewer-params.js';
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

function describe(params: ViewerParams): void {
  const mode = document.querySelector('#mode');
  if (mode) mode.textContent = params.p2p ? 'P2P on' : 'P2P off (plain hls.js)';
  mode?.classList.toggle('off', !params.p2p);
  const source = document.querySelector('#source');
  if (source) source.textContent = params.p2p ? `${params.src} · tracker ${params.trackerUrls.length > 1 ? params.trackerUrls.join(', ') : params.trackerUrl}` : params.src;
}

function start(): void {
  const params = parseViewerParams(location, window.SWARMCAST_TRACKER_URL);
  describe(params);
  if (!Hls.isSupported()) throw new Error('this browser cannot play HLS with hls.js (no MediaSource)');

  const video = requireElement('#video', HTMLVideoElement);
  video.muted = true;
  video.autoplay = true;
  const recorder = new SegmentRecorder();
  const delivery: Delivery = params.p2p ? createP2pDelivery(params.trackerUrl, recorder, { privacy: params.privacy, trackerUrls: params.trackerUrls, group: params.group, expectSeeder: params.expectSeeder, recordsUrl: params.recordsUrl, maxJoinDelayMs: params.maxJoinDelayMs, uploadCapBytesPerSec: params.uploadCapBytesPerSec, uploadDelayTargetMs: params.uploadDelayTargetMs, engineOverrides: params.engineOverrides }) : createHttpDelivery(recorder);
  const hls = new Hls({ ...delivery.hlsConfig, maxLiveSyncPlaybackRate: params.catchUpRate, ...(params.level === undefined ? {} : { startLevel: params.level }), ...(params.bufferSec === undefined ? {} : { maxBufferLength: params.bufferSec, maxMaxBufferLength: params.bufferSec }) });
  delivery.attach(hls);
  const errors = new HlsErrorLog(hls);
  hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
    if (params.level !== undefined) {
      if (params.level >= data.levels.length) showError(`Invalid param: level ${String(params.level)}, the playlist has ${String(data.levels.length)} levels`);
      // Pinned before the first fragment, so hls.js's ABR never switches away and nothing is flushed.
      else hls.loadLevel = params.level;
    }
    video.play().catch((error: unknown) => {
      console.warn('[swarmcast-web] play() was refused', error);
    });
  });

  const attachedAt = performance.now();
  const qoe = new QoeMonitor(video, {
    get latency() { return hls.latency; },
    get live() { return hls.latestLevelDetails?.live ?? false; },
  }, attachedAt);
  const timeline = new StartupTimelineRecorder(hls, video, attachedAt);
  hls.loadSource(params.src);
  hls.attachMedia(video);

  const report = (): ViewerReport => ({
    p2p: params.p2p,
    ...qoe.snapshot(),
    startupTimeline: timeline.snapshot(),
    ...delivery.stats(),
    hlsErrors: [...errors.all],
    hlsFatalErrors: [...errors.fatal],
    segments: recorder.list(),
  });
  window.__swarmcastReport = report;
  window.__swarmcastSettled = () => recorder.settled();
  window.__swarmcastSetLevel = (level, smooth) => {
    if (smooth) hls.nextLevel = level;
    else hls.currentLevel = level;
  };

  const panel = new StatsPanel(requireElement('#stats', HTMLElement));
  const refresh = setInterval(() => { panel.render(report()); }, PANEL_REFRESH_MS);
  window.addEventListener('pagehide', () => {
    clearInterval(refresh);
    qoe.destroy();
    timeline.destroy();
    errors.destroy();
    delivery.destroy();
    hls.destroy();
  }, { once: true });
}

try {
  start();
} catch (error) {
  showError(error instanceof Error ? error.message : String(error));
  throw error;
}
