/**
 * The low-latency live stream's timeline: which parts exist at a given time, their bytes, and the
 * LL-HLS media playlist (EXT-X-PART, EXT-X-PRELOAD-HINT, blocking reload) that lists them. Pure: the
 * caller passes the time. Part g (from the stream's start) plays [g, g+1) * partMs and exists once
 * that interval has passed, like an encoder that emits a part when it is complete.
 */
import { OriginError } from '../errors.js';
import { shiftFragment, type FragmentedMp4 } from './mp4-fragments.js';

export interface LlShape {
  /** Part duration, ms. */
  readonly partMs: number;
  /** Parts per segment. */
  readonly partsPerSegment: number;
  /** Complete segments listed before the one in progress. */
  readonly windowSegments: number;
}

/** Segments at the end of the window whose parts are listed too (RFC 8216bis: within 3 target durations). */
const SEGMENTS_WITH_PARTS = 2;

export type BlockingAnswer = { kind: 'ready' } | { kind: 'wait'; ms: number } | { kind: 'too-far' };

export class LlTimeline {
  private readonly loopParts: number;
  private readonly loopTicks: number;

  /** @param startMs when part 0 began (same clock as the `nowMs` arguments). */
  constructor(
    private readonly mp4: FragmentedMp4,
    readonly shape: LlShape,
    private readonly startMs: number,
  ) {
    this.loopParts = mp4.fragments.length;
    if (this.loopParts % shape.partsPerSegment !== 0) {
      throw new OriginError('ORIGIN_ASSETS_INVALID', `a loop of ${this.loopParts} parts is not whole segments of ${shape.partsPerSegment}`);
    }
    this.loopTicks = this.loopParts * mp4.fragmentTicks;
  }

  get init(): Uint8Array {
    return this.mp4.init;
  }

  /** Parts complete at `nowMs`. */
  partsDone(nowMs: number): number {
    return Math.max(0, Math.floor((nowMs - this.startMs) / this.shape.partMs));
  }

  /** The segment being produced at `nowMs` (its parts so far are listed, it is not). */
  currentMsn(nowMs: number): number {
    return Math.floor(this.partsDone(nowMs) / this.shape.partsPerSegment);
  }

  /** Oldest segment still listed (and served). */
  firstMsn(nowMs: number): number {
    return Math.max(0, this.currentMsn(nowMs) - this.shape.windowSegments);
  }

  /** Bytes of part `part` of segment `msn`, if it exists and is in the window. */
  part(msn: number, part: number, nowMs: number): Uint8Array | undefined {
    if (part < 0 || part >= this.shape.partsPerSegment || msn < this.firstMsn(nowMs)) return undefined;
    const g = msn * this.shape.partsPerSegment + part;
    if (g >= this.partsDone(nowMs)) return undefined;
    const fragment = this.mp4.fragments[g % this.loopParts];
    if (!fragment) return undefined;
    return shiftFragment(fragment, Math.floor(g / this.loopParts) * this.loopTicks);
  }

  /** Bytes of segment `msn` (its parts in order), if complete and in the window. */
  segment(msn: number, nowMs: number): Uint8Array | undefined {
    const parts: Uint8Array[] = [];
    for (let k = 0; k < this.shape.partsPerSegment; k++) {
      const bytes = this.part(msn, k, nowMs);
      if (!bytes) return undefined;
      parts.push(bytes);
    }
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /**
   * A blocking playlist request (_HLS_msn, _HLS_part) or a request for the hinted part: ready now,
   * ready in `ms`, or asking too far ahead (RFC 8216bis: more than one segment past the last).
   */
  whenAvailable(msn: number, part: number | undefined, nowMs: number): BlockingAnswer {
    if (msn > this.currentMsn(nowMs) + 1) return { kind: 'too-far' };
    // Without _HLS_part the whole segment msn must be complete.
    const g = part === undefined ? (msn + 1) * this.shape.partsPerSegment - 1 : msn * this.shape.partsPerSegment + part;
    const readyAtMs = this.startMs + (g + 1) * this.shape.partMs;
    return readyAtMs <= nowMs ? { kind: 'ready' } : { kind: 'wait', ms: readyAtMs - nowMs };
  }

  /** The media playlist at `nowMs`. */
  playlist(nowMs: number): string {
    const { partMs, partsPerSegment } = this.shape;
    const partSec = (partMs / 1000).toFixed(3);
    const segmentSec = ((partMs * partsPerSegment) / 1000).toFixed(3);
    const current = this.currentMsn(nowMs);
    const first = this.firstMsn(nowMs);
    const partLines = (msn: number, count: number): string[] =>
      Array.from({ length: count }, (_, k) => `#EXT-X-PART:DURATION=${partSec},URI="part-${msn}.${k}.m4s",INDEPENDENT=YES`);
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:9',
      `#EXT-X-TARGETDURATION:${Math.ceil((partMs * partsPerSegment) / 1000)}`,
      `#EXT-X-PART-INF:PART-TARGET=${partSec}`,
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${((3 * partMs) / 1000).toFixed(3)},HOLD-BACK=${((3 * partMs * partsPerSegment) / 1000).toFixed(3)}`,
      `#EXT-X-MEDIA-SEQUENCE:${first}`,
      '#EXT-X-MAP:URI="init.mp4"',
    ];
    for (let msn = first; msn < current; msn++) {
      if (msn >= current - SEGMENTS_WITH_PARTS) lines.push(...partLines(msn, partsPerSegment));
      lines.push(`#EXTINF:${segmentSec},`, `seg-${msn}.m4s`);
    }
    const doneInCurrent = this.partsDone(nowMs) % partsPerSegment;
    lines.push(...partLines(current, doneInCurrent));
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-${current}.${doneInCurrent}.m4s"`);
    return `${lines.join('\n')}\n`;
  }
}
