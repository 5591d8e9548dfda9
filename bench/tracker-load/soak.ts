/**
 * Soak mode: Swarmcast's tracker with --peers connected, the exchange load running and --churn-per-sec
 * peers replaced every second (closed, and new ones connected and joined in their place), for
 * --duration seconds; the tracker's RSS and heap (after gc) are sampled every --sample-every seconds.
 * The trend is computed after a warm-up (the first fifth of the run, at least one sample interval).
 */
import type { TrackerBenchArgs } from './args.js';
import { LoadSession, mergeReports } from './run-load.js';
import { trend } from './trend.js';
import type { Trend } from './trend.js';

export interface SoakSample {
  readonly tSec: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** V8's committed heap, and memory outside it that V8 knows of (Buffers): what RSS holds besides heapUsed. */
  readonly heapTotalBytes: number;
  /** heapTotalBytes by V8 space: the young generation's (new_space) grows under load up to its bound. */
  readonly heapSpaceCommittedBytes: Readonly<Record<string, number>>;
  readonly externalBytes: number;
  readonly connections: number | null;
}

export interface SoakResult {
  readonly peers: number;
  readonly durationSec: number;
  readonly churnPerSec: number;
  readonly exchangesPerSecPerPeer: number;
  readonly peersReplaced: number;
  readonly warmUpSec: number;
  readonly heap: Trend;
  readonly rss: Trend;
  /** Heap after warm-up grew by less than 5 % from the first to the last quarter. */
  readonly flat: boolean;
  readonly messagesPerSec: number;
  readonly relayLatencyMs: { readonly p50: number | null; readonly p99: number | null };
  readonly exchangesCompleted: number;
  readonly exchangesLost: number;
  readonly clientErrors: Readonly<Record<string, number>>;
  readonly trackerErrors: Readonly<Record<string, number>>;
  readonly samples: readonly SoakSample[];
}

const FLAT_QUARTER_GROWTH = 0.05;

export async function runSoak(args: TrackerBenchArgs, log: (line: string) => void): Promise<SoakResult> {
  const session = await LoadSession.open('swarmcast', args, log);
  try {
    const samples: SoakSample[] = [];
    const durationMs = args.durationSec * 1000;
    const t0 = Date.now();
    const window = session.window(durationMs, args.churnPerSec, true);
    // Awaited below; this keeps an early failure from being reported as unhandled meanwhile.
    window.catch(() => undefined);
    // Bounded: one sample per interval until the window ends.
    while (Date.now() - t0 < durationMs) {
      const s = await session.server.sample(true);
      samples.push({
        tSec: (Date.now() - t0) / 1000,
        rssBytes: s.rssBytes,
        heapUsedBytes: s.heapUsedBytes,
        heapTotalBytes: s.heapTotalBytes,
        heapSpaceCommittedBytes: s.heapSpaceCommittedBytes,
        externalBytes: s.externalBytes,
        connections: s.connections,
      });
      const last = samples[samples.length - 1];
      if (last !== undefined && samples.length % 6 === 1) {
        const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
        log(
          `soak t=${last.tSec.toFixed(0)} s heap ${mib(last.heapUsedBytes)} MiB (committed ${mib(last.heapTotalBytes)}: new ${mib(last.heapSpaceCommittedBytes.new_space ?? 0)}, old ${mib(last.heapSpaceCommittedBytes.old_space ?? 0)}) external ${mib(last.externalBytes)} MiB rss ${mib(last.rssBytes)} MiB connections ${last.connections ?? '?'}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, args.sampleEverySec * 1000));
    }
    const { reports, end } = await window;
    const merged = mergeReports(reports);
    const warmUpSec = Math.max(args.sampleEverySec, args.durationSec / 5);
    const steady = samples.filter((s) => s.tSec >= warmUpSec);
    const t = steady.map((s) => s.tSec);
    const heap = trend(t, steady.map((s) => s.heapUsedBytes));
    return {
      peers: session.peers,
      durationSec: args.durationSec,
      churnPerSec: args.churnPerSec,
      exchangesPerSecPerPeer: args.exchangesPerSecPerPeer,
      peersReplaced: merged.peersReplaced,
      warmUpSec,
      heap,
      rss: trend(t, steady.map((s) => s.rssBytes)),
      flat: heap.quarterGrowth < FLAT_QUARTER_GROWTH,
      messagesPerSec: (merged.signalsRelayed + merged.announcesAnswered) / args.durationSec,
      relayLatencyMs: { p50: merged.histogram.quantileMs(0.5), p99: merged.histogram.quantileMs(0.99) },
      exchangesCompleted: merged.exchangesCompleted,
      exchangesLost: merged.exchangesLost,
      clientErrors: merged.errors,
      trackerErrors: Object.fromEntries(Object.entries(end.errors).filter(([, v]) => v > 0)),
      samples,
    };
  } finally {
    await session.stop();
  }
}

export function formatSoakSummary(r: SoakResult): string {
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  return [
    `soak: ${r.peers} peers, ${r.durationSec} s, churn ${r.churnPerSec}/s (${r.peersReplaced} replaced), <= ${r.exchangesPerSecPerPeer} exchanges/s/peer`,
    `heap after warm-up (${r.warmUpSec} s): slope ${(r.heap.slopePerMin / 1024).toFixed(1)} KiB/min, first quarter ${mib(r.heap.firstQuarterMean)}, last quarter ${mib(r.heap.lastQuarterMean)} (${(r.heap.quarterGrowth * 100).toFixed(1)} %) -> ${r.flat ? 'flat' : 'GROWING'}`,
    `rss: slope ${(r.rss.slopePerMin / 1024).toFixed(1)} KiB/min, first quarter ${mib(r.rss.firstQuarterMean)}, last quarter ${mib(r.rss.lastQuarterMean)}`,
    `messages/s ${r.messagesPerSec.toFixed(0)}, relay latency p50 ${r.relayLatencyMs.p50 ?? '-'} ms p99 ${r.relayLatencyMs.p99 ?? '-'} ms, exchanges ${r.exchangesCompleted} completed ${r.exchangesLost} lost`,
    `errors: client ${JSON.stringify(r.clientErrors)} tracker ${JSON.stringify(r.trackerErrors)}`,
  ].join('\n');
}
