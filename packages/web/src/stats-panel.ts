/**
 * The live stats under the video, for a person: P2P share, peers, bytes by source, startup,
 * stalls, latency, and a strip of the latest segments colored by where they came from.
 */
import { formatBytes, formatMs, formatSeconds, formatShare } from './format.js';
import type { ViewerReport } from './viewer-report.js';

/** How many of the latest segments the strip shows. */
const SEGMENT_STRIP_LENGTH = 30;

interface Row {
  readonly label: string;
  readonly value: (r: ViewerReport) => string;
  readonly hint?: string;
}

const ROWS: readonly Row[] = [
  { label: 'Status', value: (r) => status(r) },
  { label: 'P2P share', value: (r) => formatShare(r.p2pBytes, r.p2pBytes + r.httpBytes), hint: 'bytes from peers / all segment bytes' },
  { label: 'Peers', value: (r) => (r.p2p ? String(r.peers) : 'P2P off') },
  { label: 'From HTTP', value: (r) => formatBytes(r.httpBytes) },
  { label: 'From peers', value: (r) => formatBytes(r.p2pBytes) },
  { label: 'Uploaded', value: (r) => formatBytes(r.uploadedBytes) },
  { label: 'Startup', value: (r) => formatMs(r.startupMs) },
  { label: 'Stalls', value: (r) => `${r.stalls} (${formatMs(r.stalledMs)})` },
  { label: 'Live latency', value: (r) => latency(r), hint: 'now / mean' },
  { label: 'Watched', value: (r) => formatMs(r.watchMs) },
  { label: 'Errors', value: (r) => (r.hlsErrors.length === 0 ? 'none' : r.hlsErrors.slice(-3).join(', ')) },
];

export class StatsPanel {
  private readonly cells: HTMLElement[];
  private readonly strip: HTMLElement;

  constructor(container: HTMLElement) {
    container.replaceChildren();
    const grid = document.createElement('dl');
    grid.className = 'stats-grid';
    this.cells = ROWS.map((row) => {
      const item = document.createElement('div');
      item.className = 'stat';
      const dt = document.createElement('dt');
      dt.textContent = row.label;
      if (row.hint !== undefined) dt.title = row.hint;
      const dd = document.createElement('dd');
      dd.textContent = '–';
      item.append(dt, dd);
      grid.append(item);
      return dd;
    });
    this.strip = document.createElement('div');
    this.strip.className = 'segment-strip';
    this.strip.title = 'latest segments: green from peers, blue from HTTP';
    container.append(grid, this.strip);
  }

  render(report: ViewerReport): void {
    ROWS.forEach((row, i) => {
      const cell = this.cells[i];
      if (cell) cell.textContent = row.value(report);
    });
    const chips = report.segments.slice(-SEGMENT_STRIP_LENGTH).map((s) => {
      const chip = document.createElement('span');
      chip.className = `chip chip-${s.source}`;
      chip.title = `#${s.sn} ${s.source} ${formatBytes(s.bytes)}`;
      return chip;
    });
    this.strip.replaceChildren(...chips);
  }
}

function status(r: ViewerReport): string {
  if (r.hlsFatalErrors.length > 0) return 'error';
  if (r.startupMs === null) return 'starting';
  return r.playing ? 'playing' : 'stalled / paused';
}

function latency(r: ViewerReport): string {
  if (r.currentLatencySec === null) return '–';
  return `${formatSeconds(r.currentLatencySec)} / ${formatSeconds(r.liveLatencySec)}`;
}
