/**
 * Cross-checks of a benchmark run whose failure means the figures cannot be trusted (a viewer that
 * never played, counters that disagree with the origin's, segments nobody reported or that differ).
 */
import type { ViewerReport } from '@swarmcast/web';
import type { SegmentCheck } from '../../test/e2e/harness/origin-hashes.js';

/** Viewer HTTP counters and the origin's may differ by in-flight and aborted loads: this much. */
const HTTP_BYTES_TOLERANCE = 0.1;

export function sanityWarnings(
  label: string,
  reports: readonly ViewerReport[],
  originSegmentBytes: number,
  check: SegmentCheck,
): string[] {
  const warnings: string[] = [];
  reports.forEach((r, i) => {
    if (r.startupMs === null) warnings.push(`${label}: viewer#${i} never started playing`);
    else if (r.segments.length === 0) warnings.push(`${label}: viewer#${i} played but reported no segments (bytes unchecked)`);
    if (r.hlsFatalErrors.length > 0) warnings.push(`${label}: viewer#${i} fatal hls.js errors: ${r.hlsFatalErrors.join(', ')}`);
  });
  const httpBytes = reports.reduce((sum, r) => sum + r.httpBytes, 0);
  if (originSegmentBytes > 0 && Math.abs(httpBytes - originSegmentBytes) > HTTP_BYTES_TOLERANCE * originSegmentBytes) {
    warnings.push(`${label}: viewers counted ${httpBytes} HTTP segment bytes, the origin sent ${originSegmentBytes}`);
  }
  if (check.mismatches.length > 0) warnings.push(`${label}: ${check.mismatches.length} segments differ from the origin's: ${check.mismatches.slice(0, 3).join('; ')}`);
  return warnings;
}
