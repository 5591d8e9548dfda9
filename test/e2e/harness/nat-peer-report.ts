/** What the NAT lab's peer processes take (argv) and write (JSON lines). */
import type { RtcLinkInfo } from '@swarmcast/node';

export interface NatPeerOptions {
  readonly streamUrl: string;
  readonly trackerUrl: string;
  /** A stun: URL configured on the peer (TURN comes from the tracker's welcome, when it has one). */
  readonly stunUrl: string | undefined;
  /** The viewer's buffer: how long after a segment appears it must be in hand, ms. */
  readonly segmentDelayMs: number;
  readonly maxPeers: number;
  readonly connectTimeoutMs: number;
  readonly peerRefillIntervalMs: number;
}

export interface NatPeerReport {
  /** Tracker id (null before the first join). */
  readonly peerId: string | null;
  /** Segments acquired by source; late: after their deadline (a player would have stalled); failed: never. */
  readonly segments: { readonly http: number; readonly p2p: number; readonly late: number; readonly failed: number };
  readonly httpBytes: number;
  readonly p2pBytes: number;
  readonly uploadedBytes: number;
  readonly connections: readonly RtcLinkInfo[];
  readonly errors: readonly string[];
}

/** Parses one line a peer wrote; undefined for anything that is not a report. */
export function parseNatPeerReport(line: string): NatPeerReport | undefined {
  try {
    const value = JSON.parse(line) as Partial<NatPeerReport> | null;
    if (value === null || typeof value !== 'object' || !Array.isArray(value.connections) || typeof value.segments !== 'object') return undefined;
    return value as NatPeerReport;
  } catch {
    return undefined;
  }
}
