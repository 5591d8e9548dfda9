/**
 * Our requests to one peer (its downloads): asking, the DATA, QUEUED, BUSY and ABSENT that answer
 * them, RECEIPTs, and the judgement of a request met by silence (a liar, a dead path, or our own doing).
 */
import type { DataMessage, PeerMessage, SegmentRef } from '@swarmcast/protocol';
import { clockMs32 } from './delivery-delay.js';
import { SilenceCredit, silenceIsALie, type Download, type DownloadSink } from './peer-download.js';
import type { PeerAvailability } from './peer-availability.js';
import type { PeerHost } from './peer-host.js';
import type { PeerPath } from './peer-path.js';
import { RateWindow } from './rate-window.js';
import { segmentKey } from './segment-id.js';

/**
 * For this long after a path comes back (by itself or by ICE restart), a request does not count as
 * having left at once: the transport may still be resending what the cut held, with its
 * retransmission timer backed off by the cut, and our request waits behind that (seen in the
 * ice-restart e2e: a request 1.9 s after a restart got no data in 1.5 s while the peer's HAVEs came).
 */
const PATH_SETTLE_MS = 5_000;

/**
 * A request to a holder that did not leave at once (our uplink held a backlog) is looked at again
 * every LEAVE_CHECK_MS for this long: one whose way cleared meanwhile surely left, a fraction of the
 * stall timeout late, and its silence is judged as if it had left at once. A browser's uplink on a
 * fast path is never measured (no backlog lasts), so two channels each holding a chunk for a moment
 * read as "not clear", and a silent liar asked then went unjudged until its next lie.
 */
const LATE_LEAVE_WINDOW_MS = 250;
const LEAVE_CHECK_MS = 25;
/**
 * DATA bytes for requests we cancelled, per 10 s. Some arrive after every cancel (what the sender
 * had buffered, up to its high-water mark); a stream of them is an attack on our bandwidth.
 */
const MAX_STRAY_DATA_BYTES_PER_10S = 8 * 1024 * 1024;
/**
 * A transfer's RECEIPTs go at most this often (and for its first chunk): the uploader's pace reads
 * the least delay of windows of 200 ms and more (see UplinkPace). They cost 0.1-0.2 % of the data
 * bytes in bench:live constrained; at 250 ms the one run measured paced far worse (38 % from peers).
 */
const RECEIPT_INTERVAL_MS = 150;
/** A REQUEST's withinMs is capped here (an hour: a VOD prefetch with no deadline to speak of). */
const MAX_WITHIN_MS = 3_600_000;

/** What PeerDownloads needs from its Peer. */
export interface PeerDownloadsLink {
  send(msg: PeerMessage): void;
  /** The peer broke the protocol: cut it off with `reason`. */
  violation(reason: string): void;
  closed(): boolean;
  /** Bytes waiting in our DataChannel to the peer. */
  bufferedAmountBytes(): number;
  /** The transport's received bytes, or undefined (unknown, or the query failed). */
  receivedBytes(): Promise<number | undefined> | undefined;
  /** When the last message of any kind arrived from the peer, clock ms. */
  lastMessageAtMs(): number;
}

export class PeerDownloads {
  private readonly downloads = new Map<number, Download>();
  private readonly strayDataRate = new RateWindow(MAX_STRAY_DATA_BYTES_PER_10S, 10_000);
  /** What the whole segments it served us pay for its silences. */
  private readonly silenceCredit = new SilenceCredit();
  private nextRequestId = 1;
  /** When the last DATA message (of any request) arrived, clock ms. */
  private lastDataAtMs = Number.NEGATIVE_INFINITY;
  /** When the path last came back (see PATH_SETTLE_MS). */
  private resumedAtMs = Number.NEGATIVE_INFINITY;
  private lastBusyMs = Number.NEGATIVE_INFINITY;
  private leaveCheckTimer: unknown;

  constructor(
    private readonly host: PeerHost,
    private readonly path: PeerPath,
    private readonly availability: PeerAvailability,
    private readonly link: PeerDownloadsLink,
  ) {}

  get size(): number {
    return this.downloads.size;
  }

  /** When the peer last answered one of our requests BUSY. */
  get lastBusyAtMs(): number {
    return this.lastBusyMs;
  }

  /**
   * Asks the peer for a segment from `offsetBytes`, all of which we wait `withinMs` for at most;
   * returns the request id for cancel().
   */
  request(ref: SegmentRef, offsetBytes: number, withinMs: number, sink: DownloadSink): number {
    const requestId = this.nextRequestId++;
    const held = this.availability.stateOfKey(segmentKey(ref)) === 'have';
    const now = this.host.clock.now();
    const leftAtOnce = held && this.wayClear(now);
    const receivedMark = held ? this.link.receivedBytes() : undefined;
    this.downloads.set(requestId, { sink, key: segmentKey(ref), requestedOffset: offsetBytes, held, leftAtOnce, requestedAtMs: now, firstChunkAtMs: undefined, lastChunkAtMs: now, nextOffset: offsetBytes, totalBytes: 0, receivedMark, uplinkMark: this.host.uplinkMark(), receiptAtMs: Number.NEGATIVE_INFINITY });
    if (held && !leftAtOnce) this.checkLeavingSoon();
    this.link.send({ type: 'request', requestId, rendition: ref.rendition, sn: ref.sn, offsetBytes, withinMs: Math.min(MAX_WITHIN_MS, Math.max(0, Math.round(withinMs))) });
    return requestId;
  }

  cancel(requestId: number): void {
    if (this.downloads.delete(requestId)) this.link.send({ type: 'cancel', requestId });
  }

  /** The path came back at `nowMs` (see PATH_SETTLE_MS). */
  pathResumed(nowMs: number): void {
    this.resumedAtMs = nowMs;
  }

  /** A request sent now leaves at once: nothing ahead of it in our channel or uplink, and the path settled. */
  private wayClear(nowMs: number): boolean {
    return this.link.bufferedAmountBytes() === 0 && this.host.uplinkClear() && nowMs - this.resumedAtMs >= PATH_SETTLE_MS;
  }

  /** See LATE_LEAVE_WINDOW_MS: one timer per peer while some request to a holder has not surely left. */
  private checkLeavingSoon(): void {
    if (this.leaveCheckTimer !== undefined) return;
    this.leaveCheckTimer = this.host.clock.setTimeout(() => {
      this.leaveCheckTimer = undefined;
      if (this.link.closed()) return;
      const now = this.host.clock.now();
      const clear = this.wayClear(now);
      let pending = false;
      for (const d of this.downloads.values()) {
        if (!d.held || d.leftAtOnce || now - d.requestedAtMs > LATE_LEAVE_WINDOW_MS) continue;
        if (clear) d.leftAtOnce = true;
        else pending = true;
      }
      if (pending) this.checkLeavingSoon();
    }, LEAVE_CHECK_MS);
  }

  /**
   * The requester gave up on a request that got no byte since `sinceMs`. An honest peer serves a
   * segment it announced as held from memory at once (or answers BUSY), and one slowed by
   * back-pressure still sends DATA (for this or another request): total silence after HAVE, for a
   * request that surely arrived (it left at once, or some of its bytes came), is a lie or a dead
   * link, and the peer is cut off. Otherwise (a peer still receiving the segment, or a request our
   * own backlog may have held up, or our own uplink saturated since the request left, which holds
   * up the request and our acknowledgements of the peer's data alike) the request is just cancelled.
   */
  stalled(requestId: number, sinceMs: number): void {
    const download = this.downloads.get(requestId);
    // Before its first byte a request may wait behind our other uploads from this peer (data still
    // flowing excuses it); once started, uploads take turns, so its own silence is what counts.
    const started = download !== undefined && download.nextOffset > download.requestedOffset;
    if (download?.held === true && (started || this.lastDataAtMs <= sinceMs) && silenceIsALie(download, this.host.clock.now(), this.host.config.chunkBytes)) {
      if (this.excuseSilence(download)) {
        this.cancel(requestId);
        return;
      }
      const silentMs = Math.round(this.host.clock.now() - sinceMs);
      const reason = `no data for ${download.key} in ${silentMs} ms after announcing it as held`;
      // Not a word since: a dead path looks the same (see EngineConfig.silentPeerVerdictMs), unless
      // the transport shows packets came after the request left.
      if (this.link.lastMessageAtMs() <= download.lastChunkAtMs) {
        this.cancel(requestId);
        this.path.silent(requestId, reason);
        this.checkPathAlive(requestId, download.receivedMark);
      } else {
        this.link.violation(reason);
      }
      return;
    }
    this.cancel(requestId);
  }

  /**
   * A silence that reads as a lie may be our own doing, or a path's: our uplink saturated since the
   * request left (the request, or our acknowledgements of the peer's data, waited or were dropped in
   * queues below the channels), or a peer that served us well hit a congested moment (its credit
   * pays for it). A liar has no credit: it is judged at its first lie.
   */
  private excuseSilence(download: Download): boolean {
    if (this.host.uplinkSaturatedSince(download.uplinkMark, download.requestedAtMs)) {
      this.host.countExcusedSilence('uplink');
      return true;
    }
    if (!this.silenceCredit.spend()) return false;
    this.host.countExcusedSilence('credit');
    return true;
  }

  /** Tells the path verdict whether the transport received anything since `mark`. */
  private checkPathAlive(requestId: number, mark: Promise<number | undefined> | undefined): void {
    const now = this.link.receivedBytes();
    if (mark === undefined || now === undefined) return;
    void Promise.all([mark, now]).then(([before, after]) => {
      if (before !== undefined && after !== undefined && after > before && !this.link.closed()) this.path.alive(requestId);
    });
  }

  /** The path broke: every request is given up (the requesters go elsewhere). */
  interrupted(): void {
    const downloads = [...this.downloads.entries()];
    this.downloads.clear();
    for (const [requestId, d] of downloads) {
      // Queued until the path is back; then the peer stops sending what nobody waits for.
      this.link.send({ type: 'cancel', requestId });
      d.sink.failed('closed');
    }
  }

  /** Clears the timer; the requests stay until failAll(). */
  destroy(): void {
    this.host.clock.clearTimeout(this.leaveCheckTimer);
  }

  /** The connection closed: every request fails. */
  failAll(): void {
    const downloads = [...this.downloads.values()];
    this.downloads.clear();
    for (const d of downloads) d.sink.failed('closed');
  }

  /** The peer answered QUEUED: the request waits its turn behind its other uploads. */
  queued(requestId: number): void {
    const download = this.downloads.get(requestId);
    // One for a request we cancelled may still be in flight; ids we never used are a violation.
    if (download) download.sink.queued();
    else if (this.neverMade(requestId)) this.link.violation(`queued for request ${requestId} never made`);
  }

  /** The peer answered ABSENT or BUSY. */
  ended(requestId: number, reason: 'absent' | 'busy'): void {
    if (reason === 'busy') this.lastBusyMs = this.host.clock.now();
    const download = this.downloads.get(requestId);
    if (!download) {
      if (this.neverMade(requestId)) this.link.violation(`${reason} for request ${requestId} never made`);
      return;
    }
    // A peer announces every LOST after its HAVE-MAP and HAVEs, and on an ordered channel a LOST sent
    // before our request arrived comes before the ABSENT: ABSENT for a segment still announced as held
    // (at an offset below its size; HAVE-MAP gives none, offset 0 is below any) contradicts the peer.
    const announced = this.availability.get(download.key);
    if (reason === 'absent' && announced?.state === 'have' && download.requestedOffset < (announced.sizeBytes ?? 1)) {
      this.link.violation(`absent for ${download.key} it announced as held`);
      return;
    }
    this.downloads.delete(requestId);
    download.sink.failed(reason);
  }

  /** Our request ids run 1, 2, 3...: 0 and ids not handed out yet were never made. */
  private neverMade(requestId: number): boolean {
    return requestId === 0 || requestId >= this.nextRequestId;
  }

  /** A DATA message arrived (the peer is past HELLO). */
  data(msg: DataMessage): void {
    this.lastDataAtMs = this.host.clock.now();
    const download = this.downloads.get(msg.requestId);
    if (!download) {
      // Chunks of a request we cancelled may still be in flight; ids we never used are a violation.
      if (this.neverMade(msg.requestId)) this.link.violation(`data for request ${msg.requestId} never made`);
      else if (!this.strayDataRate.hit(this.host.clock.now(), msg.payload.length)) this.link.violation('too much data for cancelled requests');
      return;
    }
    if (msg.offsetBytes !== download.nextOffset) return this.link.violation(`data at ${msg.offsetBytes}, expected ${download.nextOffset}`);
    // The transfer's first DATA gives the segment's size; later ones may leave it out, never change it.
    const totalBytes = msg.totalBytes ?? download.totalBytes;
    if (totalBytes === 0) return this.link.violation(`data for request ${msg.requestId} without the segment's size`);
    if (download.totalBytes !== 0 && totalBytes !== download.totalBytes) return this.link.violation('segment size changed mid-transfer');
    if (msg.offsetBytes + msg.payload.length > totalBytes) return this.link.violation('data past the segment size');
    download.totalBytes = totalBytes;
    download.nextOffset += msg.payload.length;
    download.lastChunkAtMs = this.host.clock.now();
    download.firstChunkAtMs ??= download.lastChunkAtMs;
    if (download.lastChunkAtMs - download.receiptAtMs >= RECEIPT_INTERVAL_MS) {
      download.receiptAtMs = download.lastChunkAtMs;
      this.link.send({ type: 'receipt', requestId: msg.requestId, offsetBytes: download.nextOffset, atMs: clockMs32(download.lastChunkAtMs) });
    }
    if (download.nextOffset === totalBytes) {
      this.downloads.delete(msg.requestId);
      if (download.held) this.silenceCredit.earn();
    }
    download.sink.data(msg.offsetBytes, msg.payload, totalBytes);
  }
}
