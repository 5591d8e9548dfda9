/** Counters of what the origin served since start or the last resetStats(). /stats itself is never counted. */
export interface OriginStats {
  /** Every request answered (any route, method and status). */
  requests: number;
  /** Body bytes written to sockets, all responses (headers excluded). */
  bytes: number;
  /** Media segment (.ts) responses with status 200 or 206, GET or HEAD. */
  segmentRequests: number;
  /** Body bytes of media segment responses to viewers (the integrity authority's copies are apart). */
  segmentBytes: number;
  /** Segment responses to the integrity authority (User-Agent INTEGRITY_AUTHORITY_USER_AGENT). */
  authoritySegmentRequests: number;
  /** Body bytes of those: what integrity costs the origin (one copy per segment and rendition). */
  authoritySegmentBytes: number;
  /** Master and media playlist responses with status 200. */
  playlistRequests: number;
  /** Body bytes of playlist responses. */
  playlistBytes: number;
  /** Segment requests that carried a Range header, whatever the outcome (206, 416, or 200 for multi-range). */
  rangeRequests: number;
  /** Responses with status 404. */
  notFound: number;
  /** Responses with status 403 (the formats tokens type without a valid token). */
  forbidden: number;
  /** AES-128 key responses with status 200 (formats aes128): keys only ever come from the origin. */
  keyRequests: number;
  /** Body bytes of those. */
  keyBytes: number;
}

/** What a response is, for the per-kind counters. */
export type ResponseKind = 'segment' | 'authority-segment' | 'playlist' | 'key' | 'other';

function zero(): OriginStats {
  return {
    requests: 0,
    bytes: 0,
    segmentRequests: 0,
    segmentBytes: 0,
    authoritySegmentRequests: 0,
    authoritySegmentBytes: 0,
    playlistRequests: 0,
    playlistBytes: 0,
    rangeRequests: 0,
    notFound: 0,
    forbidden: 0,
    keyRequests: 0,
    keyBytes: 0,
  };
}

/** The origin's counters. Bytes may be taken back (negative) when a client aborts mid-response. */
export class StatsCounter {
  #stats = zero();
  #epoch = 0;

  /** Changes on every reset, so a late correction does not touch counters it was never added to. */
  get epoch(): number {
    return this.#epoch;
  }

  countResponse(kind: ResponseKind, status: number, hasRangeHeader: boolean): void {
    const s = this.#stats;
    s.requests++;
    if (status === 404) s.notFound++;
    if (status === 403) s.forbidden++;
    const ok = status === 200 || status === 206;
    if (kind === 'segment') {
      if (ok) s.segmentRequests++;
      if (hasRangeHeader) s.rangeRequests++;
    } else if (kind === 'authority-segment') {
      if (ok) s.authoritySegmentRequests++;
    } else if (kind === 'playlist' && ok) {
      s.playlistRequests++;
    } else if (kind === 'key' && ok) {
      s.keyRequests++;
    }
  }

  countBytes(kind: ResponseKind, bytes: number, epoch: number): void {
    if (epoch !== this.#epoch) return;
    const s = this.#stats;
    s.bytes += bytes;
    if (kind === 'segment') s.segmentBytes += bytes;
    else if (kind === 'authority-segment') s.authoritySegmentBytes += bytes;
    else if (kind === 'playlist') s.playlistBytes += bytes;
    else if (kind === 'key') s.keyBytes += bytes;
  }

  snapshot(): OriginStats {
    return { ...this.#stats };
  }

  reset(): void {
    this.#stats = zero();
    this.#epoch++;
  }
}
