/** The human summary of `npm run bench:formats`: one row per stream type and mode. */
import type { FormatTypeFigures } from './formats-figures.js';

const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(1)} %`);
const mib = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(2);
const sec = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v.toFixed(2));

export function formatsTable(types: Readonly<Record<string, FormatTypeFigures>>): string {
  const header = ['type', 'mode', 'played', 'stalls', 'hls.js err', 'P2P share', 'P2P MiB', 'origin MiB', 'mismatched', 'baseline stalls / err', 'latency s / baseline', 'load 1m'];
  const rows: string[][] = [];
  for (const [type, t] of Object.entries(types)) {
    for (const [mode, r] of Object.entries(t.modes)) {
      const b = t.baseline?.modes[mode];
      rows.push([
        type,
        mode,
        r.played ? 'yes' : 'NO',
        String(r.stalls),
        String(r.hlsErrors),
        pct(r.p2pShare),
        mib(r.p2pBytes),
        mib(r.originSegmentBytes),
        String(r.mismatchedSegments),
        b === undefined ? '–' : `${b.stalls} / ${b.hlsErrors}`,
        r.liveLatencySecMean === null ? '–' : `${sec(r.liveLatencySecMean)} / ${sec(b?.liveLatencySecMean)}`,
        r.loadAverage1m.toFixed(1),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
