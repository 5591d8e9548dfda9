/**
 * Where a swarm's HTTP segment fetches went: per segment, how many viewers fetched it over HTTP,
 * split into each viewer's first segments (startup, which never waits for peers) and the rest. The
 * ideal live swarm fetches each segment once; every extra copy is share lost.
 */

/** What this reads of a viewer's segment list, in the order the viewer got them. */
export interface SegmentSourceRecord {
  readonly rendition: string;
  readonly sn: number;
  readonly source: string;
}

export interface HttpCopies {
  /** Distinct segments any viewer got. */
  readonly segments: number;
  /** HTTP fetches in all. */
  readonly httpFetches: number;
  /** Of which among each viewer's first `startupSegments` segments. */
  readonly startupFetches: number;
  /** HTTP fetches past the first per segment among the rest: what a perfect scheduler would have avoided. */
  readonly extraSteadyFetches: number;
  /** Segments fetched over HTTP by no viewer after startup (all their copies came from peers or startup loads). */
  readonly segmentsWithoutSteadyHttp: number;
}

export function httpCopies(viewers: readonly (readonly SegmentSourceRecord[])[], startupSegments = 3): HttpCopies {
  const all = new Set<string>();
  const steadyHttp = new Map<string, number>();
  let httpFetches = 0;
  let startupFetches = 0;
  for (const segments of viewers) {
    segments.forEach((s, i) => {
      const key = `${s.rendition}/${s.sn}`;
      all.add(key);
      if (s.source !== 'http') return;
      httpFetches += 1;
      if (i < startupSegments) startupFetches += 1;
      else steadyHttp.set(key, (steadyHttp.get(key) ?? 0) + 1);
    });
  }
  let extraSteadyFetches = 0;
  for (const n of steadyHttp.values()) extraSteadyFetches += n - 1;
  return { segments: all.size, httpFetches, startupFetches, extraSteadyFetches, segmentsWithoutSteadyHttp: all.size - steadyHttp.size };
}
