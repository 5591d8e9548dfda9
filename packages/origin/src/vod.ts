import type { OriginConfig } from './config.js';
import { renderMediaPlaylist, type PlaylistSegment } from './hls-playlist.js';
import type { LoopAssets } from './loop-assets.js';

/** The VOD asset: the loop `vodLoops` times, index i playing loop[i % loopLength]. */
export class VodAsset {
  readonly #assets: LoopAssets;
  readonly #loops: number;

  constructor(assets: LoopAssets, config: Pick<OriginConfig, 'vodLoops'>) {
    this.#assets = assets;
    this.#loops = config.vodLoops;
  }

  get segmentCount(): number {
    return this.#assets.segments.length * this.#loops;
  }

  /** Media playlist; EXT-X-DISCONTINUITY at each loop point, where timestamps restart. */
  playlist(): string {
    const loopLength = this.#assets.segments.length;
    const segments: PlaylistSegment[] = [];
    for (let i = 0; i < this.segmentCount; i++) {
      const durationSec = this.#assets.segments[i % loopLength]?.durationSec ?? this.#assets.segmentDurationSec;
      segments.push({ uri: `seg-${i}.ts`, durationSec, discontinuity: i > 0 && i % loopLength === 0 });
    }
    return renderMediaPlaylist({ mediaSequence: 0, discontinuitySequence: 0, playlistType: 'VOD', endList: true, segments });
  }

  /** Bytes of index i, undefined past the end. Callers must not mutate. */
  segment(index: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.segmentCount) return undefined;
    return this.#assets.segments[index % this.#assets.segments.length]?.bytes;
  }
}
