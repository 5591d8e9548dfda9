/**
 * What each WebRTC connection of a Node peer did: the ICE candidate pair it settled on (host,
 * srflx, prflx or relay on each side, so whether the bytes went direct or through TURN) and the
 * DataChannel payload bytes both ways. For operators (is the TURN server carrying the swarm?) and
 * for the NAT traversal tests, which assert the path of every pair.
 */

/** How a connection's bytes travel: straight between the two peers, or through a TURN relay. */
export type RtcPath = 'direct' | 'relay';

export interface RtcLinkInfo {
  /** The remote peer's tracker id. */
  readonly remotePeerId: string;
  /** 'connecting' until the DataChannel opens; 'closed' once it ends (or never opened). */
  readonly state: 'connecting' | 'open' | 'closed';
  /** Candidate types of the selected pair (host, srflx, prflx, relay), once open. */
  readonly localCandidateType: string | undefined;
  readonly remoteCandidateType: string | undefined;
  /** 'relay' when either side of the selected pair is a TURN relay candidate; undefined before open. */
  readonly path: RtcPath | undefined;
  /** DataChannel payload bytes sent and received. */
  readonly sentBytes: number;
  readonly receivedBytes: number;
  /** From creation to the DataChannel opening, ms (undefined if it never opened). */
  readonly openAfterMs: number | undefined;
  /** Why it closed (undefined while it lives). */
  readonly closeReason: string | undefined;
}

/** Records kept per connector, newest last: enough for a swarm's neighbours and their recent churn. */
export const MAX_LINK_RECORDS = 256;

/** One connection's mutable record (the link writes it, links() hands out copies). */
export class RtcLinkRecord {
  state: RtcLinkInfo['state'] = 'connecting';
  localCandidateType: string | undefined;
  remoteCandidateType: string | undefined;
  sentBytes = 0;
  receivedBytes = 0;
  openAfterMs: number | undefined;
  closeReason: string | undefined;
  private readonly createdAtMs = performance.now();

  constructor(readonly remotePeerId: string) {}

  opened(pair: { local: { type: string }; remote: { type: string } } | null): void {
    this.state = 'open';
    this.openAfterMs = performance.now() - this.createdAtMs;
    this.selected(pair);
  }

  /** The selected pair (read again while open: ICE may switch pairs). */
  selected(pair: { local: { type: string }; remote: { type: string } } | null): void {
    if (pair === null) return;
    this.localCandidateType = pair.local.type;
    this.remoteCandidateType = pair.remote.type;
  }

  closed(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = reason;
  }

  info(): RtcLinkInfo {
    const { remotePeerId, state, localCandidateType, remoteCandidateType, sentBytes, receivedBytes, openAfterMs, closeReason } = this;
    const path = localCandidateType === undefined || remoteCandidateType === undefined
      ? undefined
      : localCandidateType === 'relay' || remoteCandidateType === 'relay' ? 'relay' : 'direct';
    return { remotePeerId, state, localCandidateType, remoteCandidateType, path, sentBytes, receivedBytes, openAfterMs, closeReason };
  }
}

/** The bounded list of records of one connector. */
export class RtcLinkBook {
  private readonly records: RtcLinkRecord[] = [];

  add(remotePeerId: string): RtcLinkRecord {
    const record = new RtcLinkRecord(remotePeerId);
    this.records.push(record);
    // Forget the oldest closed records first; live ones stay listed.
    while (this.records.length > MAX_LINK_RECORDS) {
      const oldestClosed = this.records.findIndex((r) => r.state === 'closed');
      this.records.splice(oldestClosed === -1 ? 0 : oldestClosed, 1);
    }
    return record;
  }

  list(): RtcLinkInfo[] {
    return this.records.map((r) => r.info());
  }
}
