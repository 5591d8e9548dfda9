/** bench:edge's sums of the viewers' counters: HTTP fetch reasons and seeder figures (origin egress per segment is in stats.ts). */
import type { ViewerReport } from '@swarmcast/web';

/** Viewers' HTTP segment fetches by reason (see EngineStats.httpFetchReasons), summed; {} without P2P. */
export function httpFetchReasons(reports: readonly Pick<ViewerReport, 'httpFetchReasons'>[]): Record<string, number> {
  return sumCounters(reports.map((r) => r.httpFetchReasons));
}

/** Counters of several viewers (null or absent: a viewer without P2P), added up by name. */
export function sumCounters(counters: readonly (Readonly<Record<string, number>> | null | undefined)[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const c of counters) for (const [name, n] of Object.entries(c ?? {})) sum[name] = (sum[name] ?? 0) + n;
  return sum;
}

/**
 * Viewers' loads due too soon for peers that asked a seeder (ViewerReport.seeder), summed, with the
 * mean time each took; and the HTTP fetches after a seeder was the last peer asked.
 */
export function seederFigures(reports: readonly Pick<ViewerReport, 'seeder'>[]): { attempts: number; deliveries: number; meanWaitMs: number | null; httpFetchesAfter: number } {
  let attempts = 0;
  let httpFetchesAfter = 0;
  let deliveries = 0;
  let waitMs = 0;
  for (const r of reports) {
    attempts += r.seeder?.attempts ?? 0;
    deliveries += r.seeder?.deliveries ?? 0;
    waitMs += r.seeder?.waitMs ?? 0;
    httpFetchesAfter += r.seeder?.httpFetchesAfter ?? 0;
  }
  return { attempts, deliveries, meanWaitMs: attempts > 0 ? Math.round(waitMs / attempts) : null, httpFetchesAfter };
}
