/**
 * How long the loader tells hls.js a segment took, ms: what its ABR measures bandwidth with.
 *
 * Every segment is reported at the engine's HTTP throughput estimate (bytes / estimate), an EWMA
 * over the engine's own HTTP fetches that already includes this segment's fetch when it came over
 * HTTP. Reporting a peer's real time would mislead the ABR both ways: instant P2P transfers would
 * inflate its estimate into a rendition HTTP could not sustain once peers fall short, and a slow
 * peer (or the wait for peers before an HTTP fallback) would hold it below what HTTP sustains. The
 * engine meets deadlines by going to HTTP; hls.js's buffer-based rules still see the real buffer.
 *
 * Before the engine has measured an HTTP fetch (the first segments come from the store or peers),
 * hls.js's own current estimate stands in for peer and store deliveries, so the sample leaves its
 * estimate where it was; an HTTP delivery then reports its real time.
 *
 * @param httpBytesPerSec the engine's HTTP estimate, undefined before its first sampled HTTP fetch
 * @param playerBitsPerSec hls.js's current bandwidth estimate (hls.bandwidthEstimate), bits/s
 */
export function reportedLoadMs(
  bytes: number,
  source: 'http' | 'p2p' | 'store',
  realMs: number,
  httpBytesPerSec: number | undefined,
  playerBitsPerSec: number,
): number {
  let bytesPerSec = httpBytesPerSec;
  if (bytesPerSec === undefined && source !== 'http' && Number.isFinite(playerBitsPerSec) && playerBitsPerSec > 0) bytesPerSec = playerBitsPerSec / 8;
  if (bytesPerSec === undefined || !(bytesPerSec > 0)) return Math.max(1, realMs);
  return Math.max(1, (bytes * 1000) / bytesPerSec);
}
