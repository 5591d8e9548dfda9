/** One P2P request we made, as its Peer tracks it, and the test of a silence on it. */

/** One request we made to this peer. */
export interface Download {
  readonly sink: DownloadSink;
  /** segmentKey of the requested segment. */
  readonly key: string;
  readonly requestedOffset: number;
  /** The peer had announced the segment as held (HAVE or HAVE-MAP) when we asked. */
  readonly held: boolean;
  /**
   * The request left at once (our channel to it held nothing and our uplink was clear, so no backlog
   * of ours delayed it), or within LATE_LEAVE_WINDOW_MS of it (see PeerDownloads). Once a chunk of it
   * arrived, the request evidently did too.
   */
  leftAtOnce: boolean;
  readonly requestedAtMs: number;
  /** When its first chunk arrived (undefined until one did). */
  firstChunkAtMs: number | undefined;
  /** When its latest chunk arrived (requestedAtMs until one did). */
  lastChunkAtMs: number;
  nextOffset: number;
  totalBytes: number;
  /** PeerLink.receivedBytes() when the request left (undefined: the link cannot say). */
  readonly receivedMark: Promise<number | undefined> | undefined;
  /** PeerHost.uplinkMark() when the request left. */
  readonly uplinkMark: number;
  /** When we last sent the peer a RECEIPT for it (-Infinity: none yet). */
  receiptAtMs: number;
}

/** The requester's side of one P2P request. */
export interface DownloadSink {
  data(offsetBytes: number, payload: Uint8Array, totalBytes: number): void;
  failed(reason: 'absent' | 'busy' | 'closed'): void;
  /** The peer admitted the request, which waits its turn behind its other uploads (QUEUED). */
  queued(): void;
}

/**
 * Before any byte: a lie if the request surely arrived (it left at once). Mid-transfer: a lie if
 * the silence is much longer than the gaps between the chunks so far (a peer that sent two chunks
 * at once and then nothing lies; one that was slow all along is slow).
 */
export function silenceIsALie(download: Download, nowMs: number, chunkBytes: number): boolean {
  const receivedBytes = download.nextOffset - download.requestedOffset;
  if (receivedBytes === 0) return download.leftAtOnce;
  // The pace between chunks, not since the request: a slow first answer (a busy sender, a long
  // RTT) must not make a burst followed by silence look like a slow, steady sender.
  const afterFirstBytes = receivedBytes - chunkBytes;
  // One chunk so far: its pace is all there is, measured from the request.
  const expectedGapMs =
    afterFirstBytes > 0
      ? (chunkBytes * (download.lastChunkAtMs - (download.firstChunkAtMs ?? download.requestedAtMs))) / afterFirstBytes
      : (chunkBytes * Math.max(1, download.lastChunkAtMs - download.requestedAtMs)) / receivedBytes;
  return nowMs - download.lastChunkAtMs > 2 * expectedGapMs;
}

/**
 * A silence that reads as a lie costs SILENCE_COST whole segments the peer served us (that it had
 * announced), and no more than MAX_SILENCE_CREDIT is saved: a peer lying now and then must serve
 * four segments for each lie, one that turned liar is cut off within two lies, and a liar from the
 * start at its first.
 */
const SILENCE_COST = 4;
const MAX_SILENCE_CREDIT = 8;

export class SilenceCredit {
  private credit = 0;

  /** The peer served a whole segment it had announced. */
  earn(): void {
    this.credit = Math.min(MAX_SILENCE_CREDIT, this.credit + 1);
  }

  /** Pays for one silence; false (nothing spent) when the credit does not cover it. */
  spend(): boolean {
    if (this.credit < SILENCE_COST) return false;
    this.credit -= SILENCE_COST;
    return true;
  }
}
