/**
 * The JSON of `npm run bench:hostile`, built from a hostile-peer scenario run, and its human table.
 * Per attack exactly the four headline figures; the evidence behind them goes under `details`.
 */
import type { AttackRun, HostileScenarioResult } from '../../test/e2e/harness/hostile-run.js';
import { attacked, maxCutOffMs } from '../../test/e2e/harness/hostile-figures.js';
import type { MeanMax, VictimOutcome } from '../../test/e2e/harness/hostile-figures.js';
import type { AttackName } from '../../test/e2e/hostile/hostile-report.js';

export interface AttackFigures {
  /** Segments handed to honest players that differ from the origin's (must be 0). */
  readonly badSegmentsPlayed: number;
  /**
   * Max over attacked honest viewers of the time from the attacker's first bad byte or message to
   * that viewer's disconnect, ms; null when a viewer it attacked never cut it off (or none was attacked).
   */
  readonly cutOffMs: number | null;
  /** Per viewer stalled / watched time during the attack's window. */
  readonly honestStallRatio: MeanMax;
  /** Bytes of segments from peers / all segment bytes the honest players got in the window. */
  readonly honestP2pShare: number;
}

export interface AttackDetails {
  readonly windowSec: number;
  readonly viewersAttacked: number;
  readonly attacks: number;
  readonly segmentsPlayed: number;
  readonly segmentsUnchecked: number;
  readonly stalls: number;
  readonly p2pSegmentBytesPerViewer: readonly number[];
  readonly clockSpreadMs: number;
  readonly victims: readonly VictimOutcome[];
  readonly hostileErrors: readonly string[];
}

export function attackFigures(run: AttackRun): AttackFigures {
  const cutOff = maxCutOffMs(run.outcomes);
  return {
    badSegmentsPlayed: run.window.badSegmentsPlayed,
    cutOffMs: cutOff === null || !Number.isFinite(cutOff) ? null : round1(cutOff),
    honestStallRatio: run.window.honestStallRatio,
    honestP2pShare: run.window.honestP2pShare,
  };
}

export function attackDetails(run: AttackRun): AttackDetails {
  const hit = attacked(run.outcomes);
  return {
    windowSec: round1(run.windowMs / 1000),
    viewersAttacked: new Set(hit.map((o) => o.viewer)).size,
    attacks: hit.length,
    segmentsPlayed: run.window.segments,
    segmentsUnchecked: run.window.uncheckedSegments,
    stalls: run.window.stalls,
    p2pSegmentBytesPerViewer: run.window.p2pSegmentBytes,
    clockSpreadMs: round1(run.clockSpreadMs),
    victims: run.outcomes,
    hostileErrors: run.hostile.errors,
  };
}

/** Why the figures show a failure; empty when every attack was defeated. */
export function hostileWarnings(result: HostileScenarioResult): string[] {
  const warnings: string[] = [];
  for (const run of result.runs) {
    const hit = attacked(run.outcomes);
    if (hit.length === 0) warnings.push(`${run.attack}: no viewer was attacked`);
    for (const o of hit) {
      if (o.cutOffMs === null) warnings.push(`${run.attack}: viewer#${o.viewer ?? '?'} never cut off the ${o.variant} attacker`);
    }
    if (run.window.badSegmentsPlayed > 0) warnings.push(`${run.attack}: ${run.window.badSegmentsPlayed} segments played differ from the origin's`);
  }
  if (result.check.mismatches.length > 0) warnings.push(`${result.check.mismatches.length} segments over the whole run differ from the origin's`);
  return warnings;
}

const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(1)} %`);

export function formatHostileTable(
  attacks: Readonly<Partial<Record<AttackName, AttackFigures>>>,
  details: Readonly<Partial<Record<AttackName, AttackDetails>>>,
  viewers: number,
): string {
  const header = ['attack', 'viewers hit', 'cut off (max)', 'bad segments', 'stall mean / max', 'P2P share'];
  const rows = Object.entries(attacks).map(([name, f]) => {
    const d = details[name as AttackName];
    return [
      name,
      `${d?.viewersAttacked ?? 0}/${viewers}${d && d.attacks > d.viewersAttacked ? ` (${d.attacks}x)` : ''}`,
      f.cutOffMs === null ? 'NOT CUT OFF' : `${f.cutOffMs.toFixed(0)} ms`,
      String(f.badSegmentsPlayed),
      `${pct(f.honestStallRatio.mean)} / ${pct(f.honestStallRatio.max)}`,
      pct(f.honestP2pShare),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
