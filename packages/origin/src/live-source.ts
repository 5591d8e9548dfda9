import type { LiveSourceKind } from './config.js';
import type { VariantInfo } from './loop-assets.js';

/** What the HTTP layer needs from a live stream, whatever produces it. */
export interface LiveSource {
  readonly kind: LiveSourceKind;
  /** The one variant, for the master playlist. */
  readonly variant: VariantInfo;
  /** The current media playlist text, undefined when none is available. */
  playlist(): Promise<string | undefined>;
  /**
   * Bytes of media sequence `sn`, undefined when it is not available (the loop also serves segments
   * that left the window lately, as RFC 8216 6.2.2 asks; the ffmpeg source only listed ones). Callers must not mutate.
   */
  segment(sn: number): Promise<Uint8Array | undefined>;
  /** Idempotent; releases every process, timer and file the source holds. */
  close(): Promise<void>;
}

/** The one segment URI scheme of both sources: the number is the media sequence. */
export function liveSegmentUri(sn: number): string {
  return `seg-${sn}.ts`;
}
