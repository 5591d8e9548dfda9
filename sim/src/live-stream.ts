/**
 * The live stream's timeline. Media time equals the wall time at which it was captured: segment sn
 * covers media [mediaStart(sn), mediaStart(sn) + T) and appears at the origin at its end. At time 0
 * the stream has been running for PREROLL segments, so the first viewers find a full playlist.
 */
export const RENDITION = 'live';
const PREROLL_SEGMENTS = 10;

export class LiveStream {
  readonly segmentMs: number;
  /** Size of every segment at full scale. */
  readonly segmentBytes: number;
  /** The bytes the origin serves for every segment (segmentBytes / byteScale of them). */
  readonly body: Uint8Array;

  constructor(bitrateKbps: number, segmentSec: number, byteScale: number) {
    this.segmentMs = segmentSec * 1000;
    this.segmentBytes = Math.round((bitrateKbps * 1000 * segmentSec) / 8);
    // Content does not matter with integrity off; one shared body keeps HTTP copies free of memory.
    this.body = new Uint8Array(Math.max(1, Math.round(this.segmentBytes / byteScale))).fill(0x47);
  }

  /** The newest segment at the origin at `tMs`. */
  newestSn(tMs: number): number {
    return Math.floor(tMs / this.segmentMs) + PREROLL_SEGMENTS - 1;
  }

  publishAtMs(sn: number): number {
    return (sn - PREROLL_SEGMENTS + 1) * this.segmentMs;
  }

  mediaStartMs(sn: number): number {
    return (sn - PREROLL_SEGMENTS) * this.segmentMs;
  }

  url(sn: number): string {
    return `https://cdn.sim/${RENDITION}/${sn}.ts`;
  }

  /** The sequence number in a segment URL, NaN if it is not one. */
  snOfUrl(url: string): number {
    const slash = url.lastIndexOf('/');
    return url.endsWith('.ts') ? Number(url.slice(slash + 1, -3)) : Number.NaN;
  }
}
