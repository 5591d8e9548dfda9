/**
 * A live stream played by every engine of a testbed, the way hls.js would at its default live
 * latency: a new segment appears at the origin every `segmentMs`; each viewer asks for it at its own
 * random moment within `askWindowMs` after it appears, with a deadline `deadlineAfterAskMs` later.
 * Churn (joins, leaves, crashes) is scheduled as timed actions. The report has what the project's
 * metrics need: per-load outcome and timing, P2P share, HTTP requests per segment.
 */
import type { LoadedSegment } from '../../src/index.ts';
import { sameBytes, segmentUrl, type Testbed } from './testbed.ts';

export interface LiveScheduleOptions {
  readonly segments: number;
  /** @default 2000 */
  readonly segmentMs?: number;
  /** @default 100_000 */
  readonly sizeBytes?: number;
  /** @default 2000 */
  readonly askWindowMs?: number;
  /** @default 5000 */
  readonly deadlineAfterAskMs?: number;
  readonly rendition?: string;
  /** Things that happen during the run, at ms after the first segment appears. */
  readonly actions?: readonly { readonly atMs: number; readonly run: () => void }[];
}

export interface LoadRecord {
  readonly engine: string;
  readonly sn: number;
  readonly askedAtMs: number;
  readonly deadlineMs: number;
  doneAtMs: number | undefined;
  outcome: 'pending' | 'ok' | 'wrong-bytes' | 'rejected';
  source: LoadedSegment['source'] | undefined;
  error: unknown;
}

export interface LiveReport {
  readonly loads: LoadRecord[];
  /** Loads that finished after their deadline, or did not finish. */
  readonly late: LoadRecord[];
  /** Sum of p2pBytes / sum of (p2pBytes + httpBytes), over every engine that took part. */
  readonly p2pShare: number;
  /** HTTP requests for the stream's segments (Range requests included), over every engine. */
  readonly httpRequests: number;
  readonly httpRequestsPerSegment: number;
}

export async function runLiveSchedule(bed: Testbed, options: LiveScheduleOptions): Promise<LiveReport> {
  const segmentMs = options.segmentMs ?? 2_000;
  const sizeBytes = options.sizeBytes ?? 100_000;
  const askWindowMs = options.askWindowMs ?? 2_000;
  const deadlineAfterAskMs = options.deadlineAfterAskMs ?? 5_000;
  const rendition = options.rendition ?? 'live';
  const clock = bed.clock.view('schedule');
  const rnd = bed.random.fork('live-schedule');
  const t0 = bed.clock.now();
  const loads: LoadRecord[] = [];
  const pending: Promise<void>[] = [];
  const ask = (name: string, sn: number): void => {
    const entry = bed.engines.get(name);
    if (!entry) return; // left meanwhile
    const ref = { rendition, sn };
    const request = bed.request(ref, deadlineAfterAskMs);
    const expected = bed.resources.get(request.url);
    const record: LoadRecord = {
      engine: name,
      sn,
      askedAtMs: bed.clock.now(),
      deadlineMs: request.deadlineMs,
      doneAtMs: undefined,
      outcome: 'pending',
      source: undefined,
      error: undefined,
    };
    loads.push(record);
    pending.push(
      entry.engine.loadSegment(request).then(
        (loaded) => {
          record.doneAtMs = bed.clock.now();
          record.source = loaded.source;
          record.outcome = expected && sameBytes(loaded.bytes, expected) ? 'ok' : 'wrong-bytes';
        },
        (error: unknown) => {
          record.doneAtMs = bed.clock.now();
          record.outcome = 'rejected';
          record.error = error;
        },
      ),
    );
  };
  for (let sn = 0; sn < options.segments; sn++) {
    const publishAt = sn * segmentMs;
    clock.setTimeout(() => {
      bed.publish({ rendition, sn }, sizeBytes);
      // Whoever watches when the segment appears asks for it within the window.
      for (const name of bed.engines.keys()) clock.setTimeout(() => ask(name, sn), rnd.between(0, askWindowMs));
    }, publishAt);
  }
  for (const action of options.actions ?? []) clock.setTimeout(action.run, action.atMs);
  const endMs = t0 + (options.segments - 1) * segmentMs + askWindowMs + deadlineAfterAskMs + 1_000;
  await bed.clock.runUntil(endMs);
  await Promise.all(pending);

  let p2p = 0;
  let http = 0;
  for (const s of bed.allStats()) {
    p2p += s.p2pBytes;
    http += s.httpBytes;
  }
  const urls = new Set(Array.from({ length: options.segments }, (_, sn) => segmentUrl({ rendition, sn })));
  const httpRequests = bed.allEngines().reduce((n, e) => n + e.http.log.filter((r) => urls.has(r.url)).length, 0);
  return {
    loads,
    late: loads.filter((l) => l.doneAtMs === undefined || l.doneAtMs > l.deadlineMs),
    p2pShare: p2p + http === 0 ? 0 : p2p / (p2p + http),
    httpRequests,
    httpRequestsPerSegment: httpRequests / options.segments,
  };
}
