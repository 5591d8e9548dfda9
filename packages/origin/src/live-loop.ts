import type { OriginConfig } from './config.js';
import { renderMediaPlaylist, type PlaylistSegment } from './hls-playlist.js';
import type { LiveSource } from './live-source.js';
import { liveSegmentUri } from './live-source.js';
import type { LoopAssets } from './loop-assets.js';

/** The sliding window at one instant; every number is a media sequence number. */
export interface LiveWindow {
  firstSn: number;
  lastSn: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE: how many loop points lie before firstSn. */
  discontinuitySequence: number;
}

export interface LiveWindowShape {
  windowSegments: number;
  segmentDurationMs: number;
  loopSegments: number;
}

/**
 * The window of a loop republished live since `startMs`: full at once (sn 0 .. windowSegments-1
 * at startMs), then one more segment every segmentDurationMs. Segment sn plays loop[sn % loopSegments].
 */
export function liveWindow(nowMs: number, startMs: number, shape: LiveWindowShape): LiveWindow {
  const firstSn = Math.floor(Math.max(0, nowMs - startMs) / shape.segmentDurationMs);
  return {
    firstSn,
    lastSn: firstSn + shape.windowSegments - 1,
    discontinuitySequence: Math.floor(firstSn / shape.loopSegments),
  };
}

/**
 * The media playlist of a window. Timestamps restart at every loop point, so a segment with
 * sn % loopSegments == 0 gets EXT-X-DISCONTINUITY, except first in the window, where
 * EXT-X-DISCONTINUITY-SEQUENCE already counts it (RFC 8216 6.2.2).
 */
export function renderLoopLivePlaylist(window: LiveWindow, startMs: number, shape: LiveWindowShape): string {
  const durationSec = shape.segmentDurationMs / 1000;
  const segments: PlaylistSegment[] = [];
  for (let sn = window.firstSn; sn <= window.lastSn; sn++) {
    segments.push({
      uri: liveSegmentUri(sn),
      durationSec,
      discontinuity: sn % shape.loopSegments === 0 && sn !== window.firstSn,
      // Segment windowSegments-1 ends at startMs: it is the live edge when the clock starts.
      programDateTimeMs: startMs + (sn - shape.windowSegments) * shape.segmentDurationMs,
    });
  }
  return renderMediaPlaylist({
    mediaSequence: window.firstSn,
    discontinuitySequence: window.discontinuitySequence,
    endList: false,
    segments,
  });
}

/** The bundled loop published as a live stream in real time; bytes are deterministic. */
export class LoopLiveSource implements LiveSource {
  readonly kind = 'loop';
  readonly variant: LoopAssets['variant'];
  readonly startMs: number;
  readonly #assets: LoopAssets;
  readonly #shape: LiveWindowShape;
  readonly #now: () => number;

  /** The clock starts now; `now` is injectable for tests. */
  constructor(assets: LoopAssets, config: Pick<OriginConfig, 'liveWindowSegments'>, now: () => number = Date.now) {
    this.#assets = assets;
    this.variant = assets.variant;
    this.#now = now;
    this.startMs = now();
    this.#shape = {
      windowSegments: config.liveWindowSegments,
      segmentDurationMs: Math.round(assets.segmentDurationSec * 1000),
      loopSegments: assets.segments.length,
    };
  }

  window(): LiveWindow {
    return liveWindow(this.#now(), this.startMs, this.#shape);
  }

  playlist(): Promise<string> {
    return Promise.resolve(renderLoopLivePlaylist(this.window(), this.startMs, this.#shape));
  }

  /**
   * A segment of the window, or one that left it at most windowSegments + 1 segments ago: RFC 8216
   * 6.2.2 keeps a removed segment available for its duration plus the playlist's. A player (or an
   * engine falling back to HTTP) that read the playlist a moment ago may still ask for it.
   */
  segment(sn: number): Promise<Uint8Array | undefined> {
    const { firstSn, lastSn } = this.window();
    const oldestSn = firstSn - (this.#shape.windowSegments + 1);
    if (!Number.isSafeInteger(sn) || sn < 0 || sn < oldestSn || sn > lastSn) return Promise.resolve(undefined);
    return Promise.resolve(this.#assets.segments[sn % this.#shape.loopSegments]?.bytes);
  }

  close(): Promise<void> {
    return Promise.resolve(); // holds no resources: the window is computed from the clock
  }
}
