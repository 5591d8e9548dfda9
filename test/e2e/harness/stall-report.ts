/**
 * What a viewer was handed around each of its stalls, for the failure message of a no-stall
 * assertion: a stall on a shared machine is only worth its test if the log says where it came from.
 */
import type { ViewerReport } from '@swarmcast/web';

/** Segments handed to the player this long before a stall are listed with it. */
const LOOKBACK_MS = 8000;

/** One line per stall: its time and length, the segments handed around it, the HTTP fetch reasons. */
export function describeStalls(r: Pick<ViewerReport, 'startupMs' | 'stalls' | 'stalledMs' | 'stallLog' | 'segments' | 'httpFetchReasons'>): string {
  if (r.stalls === 0) return 'no stall';
  const firstMs = r.segments[0]?.atMs ?? 0;
  const at = (ms: number): string => `${((ms - firstMs) / 1000).toFixed(1)}s`;
  const lines = r.stallLog.map((s) => {
    const endMs = s.atMs + (s.durationMs ?? 0);
    const around = r.segments
      .filter((seg) => seg.atMs >= s.atMs - LOOKBACK_MS && seg.atMs <= endMs + 1000)
      .map((seg) => `${seg.rendition}/${seg.sn}:${seg.source}@${at(seg.atMs)}(asked ${at(seg.atMs - seg.loadMs)})`);
    return `stall at ${at(s.atMs)} for ${s.durationMs ?? 'ongoing '}ms; segments handed around it: ${around.join(' ') || 'none'}`;
  });
  const reasons = Object.entries(r.httpFetchReasons ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
  const startup = r.startupMs === null ? 'never started' : `startup ${r.startupMs} ms`;
  return `${r.stalls} stalls (${r.stalledMs} ms; ${startup}; times from the first segment)\n  ${lines.join('\n  ')}\n  HTTP fetches by reason: ${reasons || 'none'}`;
}
