/**
 * The attacks, as Behaviors of a HostileIdentity. Each one speaks the real wire format and marks
 * (VictimConnection.bad) the moment it first sends something bad, or leaves a request unanswered.
 *
 * - corrupt: announces (HAVE-MAP, then HAVE as they appear) every segment it fetched from the
 *   origin, and serves every byte of it inverted (XOR 0xff), sizes unchanged.
 * - wrongSequence: same announcements; serves the origin's bytes of segment sn-1 (or sn+1) for sn.
 * - falseHave: announces every segment of the playlist without fetching any; answers the k-th
 *   victim's requests, by the order of their first request, with ABSENT (k%3 = 0), with nothing
 *   (k%3 = 1), or with the first two real chunks and then nothing (k%3 = 2).
 * - flood: one FloodKind per identity (see flood.ts).
 */
import type { RequestMessage } from '@swarmcast/protocol';
import type { Behavior, VictimConnection } from './hostile-identity.js';
import type { FeedSegment, SegmentFeed } from './segment-feed.js';

/** Bytes per DATA message, as the engine sends them. */
export const CHUNK_BYTES = 16 * 1024;
/** Size claimed in HAVE for segments falseHave never fetched. */
const FALSE_HAVE_SIZE_BYTES = 100_000;
/** Chunks the 'stall' form of falseHave sends before going silent. */
const STALL_AFTER_CHUNKS = 2;

/** Sends `bytes` from `offset` as DATA chunks; returns how many went. */
export function sendSegment(conn: VictimConnection, requestId: number, bytes: Uint8Array, offset: number, maxChunks = Infinity): number {
  let sent = 0;
  for (let o = offset; o < bytes.length && sent < maxChunks; o += CHUNK_BYTES, sent++) {
    conn.send({ type: 'data', requestId, offsetBytes: o, totalBytes: bytes.length, payload: bytes.subarray(o, o + CHUNK_BYTES) });
  }
  return sent;
}

/**
 * The common part of the serving attacks: greet with what the feed holds, announce each new
 * segment to every open connection, hand requests for this stream's rendition to `serve`.
 */
abstract class ServingAttack implements Behavior {
  constructor(
    protected readonly feed: SegmentFeed,
    private readonly identityOf: () => { forEachOpen(fn: (conn: VictimConnection) => void): void } | undefined,
  ) {}

  /** Size announced for a segment, or undefined to not announce it. */
  protected abstract announcedSize(segment: FeedSegment): number | undefined;
  protected abstract serve(conn: VictimConnection, request: RequestMessage): void;

  onOpen(conn: VictimConnection, identity: string): void {
    const entries = this.feed
      .list()
      .filter((s) => this.announcedSize(s) !== undefined)
      .map((s) => ({ rendition: this.feed.rendition, sn: s.sn, state: 'have' as const }));
    conn.greet(identity, entries);
  }

  onMessage(conn: VictimConnection, msg: Parameters<Behavior['onMessage']>[1]): void {
    if (msg.type !== 'request') return;
    if (msg.rendition !== this.feed.rendition) {
      conn.send({ type: 'absent', requestId: msg.requestId });
      return;
    }
    this.serve(conn, msg);
  }

  /** A new segment in the feed: HAVE to every open connection. */
  announce(segment: FeedSegment): void {
    const sizeBytes = this.announcedSize(segment);
    if (sizeBytes === undefined) return;
    this.identityOf()?.forEachOpen((conn) => {
      conn.send({ type: 'have', rendition: this.feed.rendition, sn: segment.sn, sizeBytes });
    });
  }
}

export class CorruptAttack extends ServingAttack {
  protected announcedSize(segment: FeedSegment): number | undefined {
    return segment.bytes?.length;
  }

  protected serve(conn: VictimConnection, request: RequestMessage): void {
    const bytes = this.feed.get(request.sn)?.bytes;
    if (!bytes || request.offsetBytes >= bytes.length) {
      conn.send({ type: 'absent', requestId: request.requestId });
      return;
    }
    const flipped = bytes.map((b) => b ^ 0xff);
    conn.bad(`inverted bytes of sn ${request.sn} from offset ${request.offsetBytes}`);
    sendSegment(conn, request.requestId, flipped, request.offsetBytes);
  }
}

export class WrongSequenceAttack extends ServingAttack {
  protected announcedSize(segment: FeedSegment): number | undefined {
    return segment.bytes?.length;
  }

  protected serve(conn: VictimConnection, request: RequestMessage): void {
    const other = [request.sn - 1, request.sn + 1].map((sn) => this.feed.get(sn)).find((s) => s?.bytes !== undefined);
    const bytes = other?.bytes;
    if (!other || !bytes || request.offsetBytes >= bytes.length) {
      conn.send({ type: 'absent', requestId: request.requestId });
      return;
    }
    conn.bad(`bytes of sn ${other.sn} served as sn ${request.sn}`);
    sendSegment(conn, request.requestId, bytes, request.offsetBytes);
  }
}

export type FalseHaveForm = 'absent' | 'silent' | 'stall';
const FALSE_HAVE_FORMS: readonly FalseHaveForm[] = ['absent', 'silent', 'stall'];

export class FalseHaveAttack extends ServingAttack {
  /** Victims by the order of their first request. */
  private readonly order: string[] = [];

  protected announcedSize(): number {
    return FALSE_HAVE_SIZE_BYTES;
  }

  protected serve(conn: VictimConnection, request: RequestMessage): void {
    if (!this.order.includes(conn.victim)) this.order.push(conn.victim);
    const form = FALSE_HAVE_FORMS[this.order.indexOf(conn.victim) % FALSE_HAVE_FORMS.length] ?? 'absent';
    conn.log.variant = form;
    if (form === 'absent') {
      conn.bad(`ABSENT for sn ${request.sn} after HAVE`);
      conn.send({ type: 'absent', requestId: request.requestId });
    } else if (form === 'silent') {
      conn.bad(`request for sn ${request.sn} left unanswered after HAVE`);
    } else {
      void this.stall(conn, request);
    }
  }

  /** Sends the first chunks of the real segment, then nothing. */
  private async stall(conn: VictimConnection, request: RequestMessage): Promise<void> {
    const bytes = await this.feed.fetchSegment(request.sn).catch(() => undefined);
    if (!bytes || request.offsetBytes >= bytes.length) {
      conn.bad(`request for sn ${request.sn} left unanswered after HAVE (not fetchable)`);
      return;
    }
    sendSegment(conn, request.requestId, bytes, request.offsetBytes, STALL_AFTER_CHUNKS);
    conn.bad(`stalled after ${STALL_AFTER_CHUNKS} chunks of sn ${request.sn}`);
  }
}
