/**
 * One acquisition's bytes as they are assembled: the peers' chunks (and a late peer's head), who
 * sent them, and their check against the signed record before any reaches the player.
 */
import type { SegmentRef } from '@swarmcast/protocol';
import type { AcquisitionHost } from './acquisition-host.js';
import { throwIfLoadAborted } from './errors.js';
import type { LateHead } from './late-split.js';
import { PartialSegment } from './partial-segment.js';
import type { Peer } from './peer.js';
import type { Verdict } from './record-book.js';

/** The bytes of one segment assembled so far, and the peers that sent them. */
export class SegmentAssembly {
  /** The bytes assembled so far (read by uploads that relay them on, cut-through). */
  partial: PartialSegment | undefined;
  /** Peers whose bytes are in `partial`. */
  private readonly contributors = new Set<Peer>();

  /** Set while a late peer goes on with the head of the rest (see late-split.ts); the HTTP part fetches the tail. */
  lateHead: LateHead | undefined;

  constructor(
    private readonly ref: SegmentRef,
    private readonly host: AcquisitionHost,
    private readonly signal: AbortSignal,
  ) {}

  /** True when some of the bytes in `partial` came from peers. */
  get fromPeers(): boolean {
    return this.contributors.size > 0;
  }

  /** A chunk from the peer asked: the segment's first starts it (and our 'receiving'). */
  append(peer: Peer, offsetBytes: number, payload: Uint8Array, totalBytes: number): 'kept' | 'complete' | 'mismatch' {
    if (!this.partial) {
      this.partial = new PartialSegment(totalBytes, this.host.clock.now());
      // Announced 'receiving' only once bytes flow: announcing at the request lets peers
      // that wait on each other (A asks B, B asks A) form a cycle no byte ever enters.
      this.host.downloading(this.ref);
    }
    if (this.partial.totalBytes !== totalBytes) return 'mismatch';
    this.keepPeerBytes(this.partial, peer, offsetBytes, payload);
    return this.partial.complete ? 'complete' : 'kept';
  }

  /** A chunk of a late peer's head (see late-split.ts): kept up to the split, then the head ends. */
  headChunk(peer: Peer, offsetBytes: number, payload: Uint8Array, totalBytes: number, head: LateHead): void {
    const { splitBytes } = head;
    const partial = this.partial;
    if (partial?.receivedBytes !== offsetBytes || partial.totalBytes !== totalBytes) {
      head.end();
      return;
    }
    const keptBytes = Math.min(payload.length, splitBytes - offsetBytes);
    if (keptBytes > 0) {
      this.host.countLateSplit('headBytes', keptBytes);
      this.keepPeerBytes(partial, peer, offsetBytes, keptBytes === payload.length ? payload : payload.subarray(0, keptBytes));
    }
    if (partial.receivedBytes >= splitBytes) head.end();
  }

  /** The peer answered ABSENT: what it sent us is dropped (see AttemptOwner.dropBytesOf). */
  dropBytesOf(peer: Peer): void {
    // A relaying peer that gives up mid-segment may have thrown its bytes away (a failed
    // check upstream): what it sent us cannot be trusted to continue over HTTP.
    if (!this.contributors.has(peer)) return;
    this.partial = undefined;
    this.contributors.clear();
  }

  /** Verifies assembled bytes; on failure forgets them (and cuts off their senders on a mismatch). */
  async checked(bytes: Uint8Array, untilMs: number): Promise<Verdict> {
    const verdict = await this.host.verify(this.ref, bytes, untilMs, this.signal);
    throwIfLoadAborted(this.signal);
    if (verdict !== 'ok') {
      if (verdict === 'mismatch') this.host.rejectPeers(this.contributors, this.ref);
      this.partial = undefined;
      this.contributors.clear();
    }
    return verdict;
  }

  /** Appends a peer's bytes to `partial` and counts them for the engine; uploads relaying the segment may send them on. */
  private keepPeerBytes(partial: PartialSegment, peer: Peer, offsetBytes: number, bytes: Uint8Array): void {
    partial.append(offsetBytes, bytes);
    this.contributors.add(peer);
    this.host.countBytes('p2p', bytes.length);
    this.host.progress(this.ref);
  }
}
