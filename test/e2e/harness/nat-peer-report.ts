/** What the NAT lab's peer processes take (argv) and write (JSON lines); Chromium viewers report the same shape (nat-chromium.ts). */
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
  /** How the engine checked the bytes from peers (EngineStats: segmentsVerified, integrityFailures, peerViolations). */
  readonly integrity: NatPeerIntegrity;
  /** Connections whose ICE path broke (disconnected or failed), and those of them brought back by an ICE restart. */
  readonly links: { readonly interruptions: number; readonly restarts: number };
  /** Chromium viewers only: what the page's player saw. */
  readonly player?: NatPlayerFigures;
  readonly errors: readonly string[];
}

/** A Chromium viewer's player (hls.js on the viewer page, ViewerReport). */
export interface NatPlayerFigures {
  /** From attach to the first 'playing', ms; null if it never played. */
  readonly startupMs: number | null;
  /** 'waiting' events after the first 'playing'. */
  readonly stalls: number;
  readonly stalledMs: number;
  readonly hlsFatalErrors: readonly string[];
  /** Peer connections whose remote peer the probe could not name (left out of `connections`). */
  readonly unnamedConnections: number;
  /** Local ICE candidates Chromium gathered, by type (host, srflx, relay, ...). */
  readonly gatheredCandidates: Readonly<Record<string, number>>;
  /** Their distinct addresses, by type (host: the private address, not an mDNS name; srflx: the NAT's). */
  readonly candidateAddresses: Readonly<Record<string, readonly string[]>>;
}

export interface NatPeerIntegrity {
  /** Segments from peers that matched their signed record. */
  readonly segmentsVerified: number;
  /** Peers cut off for bytes that did not match a signed record. */
  readonly integrityFailures: number;
  /** Peers cut off for breaking the protocol or sending bad bytes. */
  readonly peerViolations: number;
}

/** Parses one line a peer wrote; undefined for anything that is not a report. */
export function parseNatPeerReport(line: string): NatPeerReport | undefined {
  try {
    const value = JSON.parse(line) as Partial<NatPeerReport> | null;
    if (value === null || typeof value !== 'object' || !Array.isArray(value.connections) || typeof value.segments !== 'object' || typeof value.integrity !== 'object' || typeof value.links !== 'object') return undefined;
    return value as NatPeerReport;
  } catch {
    return undefined;
  }
}
