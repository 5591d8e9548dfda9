/**
 * The tracker dashboard: polls /dashboard/data.json every 2 s (only the samples since the last
 * poll after the first) and draws each stream's history with uPlot (served by the tracker from
 * node_modules, no CDN). A `?token=` in the page URL is sent as a Bearer token.
 */
/* global uPlot, URLSearchParams, location, document, fetch, setTimeout */

const POLL_MS = 2000;
/** Samples kept per stream in the page (1 h at one per 2 s). */
const MAX_SAMPLES = 1800;
/** Bandwidth is averaged over this many seconds. */
const RATE_WINDOW_SEC = 10;
/** Series colours; the e2e test counts pixels of the P2P colour to know a line was drawn. */
export const COLORS = { viewers: '#3b5bdb', share: '#e8590c', http: '#868e96', p2p: '#2b8a3e', saved: '#2b8a3e' };

const token = new URLSearchParams(location.search).get('token');
/** @type {Map<string, {card: HTMLElement, history: Record<string, (number|null)[]>, plots: any[]}>} */
const streams = new Map();
let lastT = null;

function fmtBytes(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

function fmtShare(share) {
  return `${(share * 100).toFixed(1)} %`;
}

function emptyHistory() {
  return { t: [], viewers: [], httpBytes: [], p2pBytes: [], uploadedBytes: [], stalls: [], liveLatencyMs: [] };
}

/** uPlot's data for each plot, from the cumulative samples. */
function plotData(h) {
  const n = h.t.length;
  const share = [];
  const httpMbps = [];
  const p2pMbps = [];
  // Rates over a window of RATE_WINDOW_SEC: peers report every few seconds, so rates between
  // consecutive 2 s samples would jump between 0 and double.
  let from = 0;
  for (let i = 0; i < n; i++) {
    while (h.t[i] - h.t[from] > RATE_WINDOW_SEC) from += 1;
    const dt = h.t[i] - h.t[from];
    const dHttp = h.httpBytes[i] - h.httpBytes[from];
    const dP2p = h.p2pBytes[i] - h.p2pBytes[from];
    httpMbps.push(dt > 0 ? (dHttp * 8) / dt / 1e6 : null);
    p2pMbps.push(dt > 0 ? (dP2p * 8) / dt / 1e6 : null);
    const all = h.httpBytes[i] + h.p2pBytes[i];
    share.push(all > 0 ? (100 * h.p2pBytes[i]) / all : null);
  }
  return {
    viewers: [h.t, h.viewers, share],
    bandwidth: [h.t, httpMbps, p2pMbps],
    saved: [h.t, h.p2pBytes.map((b) => (b === null ? null : b / 1e6))],
  };
}

function makePlots(card) {
  const width = () => Math.max(300, card.querySelector('.plot').clientWidth);
  // Counts and rates start at 0, so a swarm of 4 does not look like one that went from 3 to 4 by 33 %.
  const fromZero = { range: (_u, _min, max) => [0, Math.max(1, max)] };
  const opts = (series, axes) => ({
    width: width(),
    height: 200,
    series: [{}, ...series],
    axes,
    scales: { n: fromZero, '%': { range: [0, 100] }, mbps: fromZero },
    legend: { live: false },
  });
  const line = (label, stroke, scale) => ({ label, stroke, width: 2, scale, spanGaps: true });
  const at = (name) => card.querySelector(`[data-plot="${name}"]`);
  return [
    new uPlot(
      opts([line('viewers', COLORS.viewers, 'n'), line('P2P share %', COLORS.share, '%')], [{}, { scale: 'n' }, { scale: '%', side: 1, grid: { show: false } }]),
      [[], [], []],
      at('viewers'),
    ),
    new uPlot(opts([line('HTTP', COLORS.http, 'mbps'), line('P2P', COLORS.p2p, 'mbps')], [{}, { scale: 'mbps' }]), [[], [], []], at('bandwidth')),
    new uPlot(opts([{ label: 'saved MB', stroke: COLORS.saved, fill: 'rgba(43,138,62,0.15)', width: 2, spanGaps: true }], [{}, {}]), [[], []], at('saved')),
  ];
}

function addStream(id) {
  const template = document.querySelector('#stream-card');
  const card = template.content.firstElementChild.cloneNode(true);
  card.dataset.stream = id;
  card.querySelector('[data-field="id"]').textContent = id;
  document.querySelector('#streams').append(card);
  const entry = { card, history: emptyHistory(), plots: makePlots(card) };
  streams.set(id, entry);
  return entry;
}

function appendHistory(entry, incoming) {
  if (!incoming) return;
  const h = entry.history;
  const last = h.t.length > 0 ? h.t[h.t.length - 1] : -Infinity;
  for (let i = 0; i < incoming.t.length; i++) {
    if (!(incoming.t[i] > last)) continue;
    for (const key of Object.keys(h)) h[key].push(incoming[key][i]);
  }
  const extra = h.t.length - MAX_SAMPLES;
  if (extra > 0) for (const key of Object.keys(h)) h[key].splice(0, extra);
}

function render(data) {
  const set = (selector, text) => {
    const el = document.querySelector(selector);
    if (el) el.textContent = text;
  };
  set('[data-total="connections"]', String(data.connections));
  set('[data-total="swarms"]', String(data.swarms));
  set('[data-total="p2p-share"]', fmtShare(data.totals.p2pShare));
  set('[data-total="saved"]', fmtBytes(data.totals.p2pBytes));
  const seen = new Set();
  for (const s of data.streams) {
    seen.add(s.id);
    const entry = streams.get(s.id) ?? addStream(s.id);
    appendHistory(entry, s.history);
    const field = (name, text) => { entry.card.querySelector(`[data-field="${name}"]`).textContent = text; };
    field('viewers', String(s.viewers));
    field('p2p-share', fmtShare(s.p2pShare));
    field('http', fmtBytes(s.httpBytes));
    field('p2p', fmtBytes(s.p2pBytes));
    field('saved', fmtBytes(s.p2pBytes));
    field('latency', s.liveLatencyMs === null ? '–' : `${(s.liveLatencyMs / 1000).toFixed(1)} s`);
    field('stalls', `${s.stalls} (${(s.stalledMs / 1000).toFixed(1)} s)`);
    const d = plotData(entry.history);
    entry.plots[0].setData(d.viewers);
    entry.plots[1].setData(d.bandwidth);
    entry.plots[2].setData(d.saved);
    const t = entry.history.t;
    if (t.length > 0 && (lastT === null || t[t.length - 1] > lastT)) lastT = t[t.length - 1];
  }
  for (const [id, entry] of streams) {
    if (seen.has(id)) continue;
    for (const plot of entry.plots) plot.destroy();
    entry.card.remove();
    streams.delete(id);
  }
  document.body.dataset.updated = String(data.nowSec);
}

async function poll() {
  const status = document.querySelector('#status');
  try {
    const url = lastT === null ? '/dashboard/data.json' : `/dashboard/data.json?since=${lastT}`;
    const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    render(await response.json());
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
    status.classList.remove('error');
  } catch (error) {
    status.textContent = `cannot read the tracker: ${error instanceof Error ? error.message : String(error)}`;
    status.classList.add('error');
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

void poll();
