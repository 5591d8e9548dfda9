/**
 * Peers that recently declined an offer relayed through this node (their engine was at maxPeers),
 * remembered for fullPeerHoldMs so peer lists leave them out. In a large swarm most members are
 * full, and every full peer listed cost the asker a WebRTC setup (PeerConnection, offer, ICE
 * gathering) only to be declined: at 200 Node peers, two thirds of the connections made. A hint,
 * local to this node: it expires, and a list that would hold nobody without them keeps them.
 */

/** Most (swarm, peer) marks held; the oldest is forgotten first. */
export const MAX_FULL_MARKS = 65_536;

export class FullPeers {
  readonly #untilMs = new Map<string, number>();

  constructor(
    private readonly holdMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxMarks = MAX_FULL_MARKS,
  ) {}

  /** `peerId` declined an offer in `swarm`: it is full for holdMs. */
  declined(swarm: string, peerId: string): void {
    if (this.holdMs === 0) return;
    const key = markKey(swarm, peerId);
    // Re-inserted so the map's order stays oldest-first (one holdMs for all: expiry order too).
    this.#untilMs.delete(key);
    this.#prune();
    if (this.#untilMs.size >= this.maxMarks) {
      const oldest = this.#untilMs.keys().next();
      if (oldest.done !== true) this.#untilMs.delete(oldest.value);
    }
    this.#untilMs.set(key, this.now() + this.holdMs);
  }

  isFull(swarm: string, peerId: string): boolean {
    const key = markKey(swarm, peerId);
    const until = this.#untilMs.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.#untilMs.delete(key);
    return false;
  }

  /** The first `max` of `sample` not known to be full; the first `max` of the sample when all are. */
  pick(swarm: string, sample: readonly string[], max: number): string[] {
    const open = sample.filter((id) => !this.isFull(swarm, id)).slice(0, max);
    return open.length > 0 ? open : sample.slice(0, max);
  }

  /** Marks in force now (it decides whether peer lists are oversampled). */
  get size(): number {
    this.#prune();
    return this.#untilMs.size;
  }

  /** Drops expired marks from the oldest end; stops at the first one still in force. */
  #prune(): void {
    const now = this.now();
    for (const [key, until] of this.#untilMs) {
      if (until > now) return;
      this.#untilMs.delete(key);
    }
  }
}

function markKey(swarm: string, peerId: string): string {
  return `${swarm}\n${peerId}`;
}
