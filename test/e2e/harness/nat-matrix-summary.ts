/**
 * The figures of one NAT lab run, from what each peer reported (Node peers and Chromium viewers alike,
 * NatPeerReport): per pair of peers the ICE path of their connections (pairPath) and the DataChannel
 * bytes between them; per viewer what it got from where and whether it played.
 */
import type { NatPeerReport } from './nat-peer-report.js';
import { expectedPath, type NatType } from './nat-rules.js';

export type NatPath = 'direct' | 'relay' | 'none';

/** What a lab host runs: a Node peer (packages/node) or a Chromium viewer (the viewer page). */
export type PeerKind = 'node' | 'chromium';

/** One peer of the run, as the table names it. */
export interface NatMember {
  /** e.g. 'symmetric-1' (a Node peer), 'chromium-symmetric-1'. */
  readonly name: string;
  readonly nat: NatType;
  readonly kind: PeerKind;
}

/** Where a member sits in the lab (nat-lab.ts LabHost). */
export interface NatPlacement {
  /** Its own address (private behind a NAT). */
  readonly address: string;
  /** Its NAT's public address (its own when open). */
  readonly publicAddress: string;
}

export interface NatPair {
  readonly from: string;
  readonly to: string;
  readonly natFrom: NatType;
  readonly natTo: NatType;
  readonly kindFrom: PeerKind;
  readonly kindTo: PeerKind;
  /** See pairPath. */
  readonly path: NatPath;
  /** What nat-rules.ts says it should be. */
  readonly expected: NatPath;
  /** Every path either end reported for any of their connections (one entry when both ends agree). */
  readonly pathsSeen: readonly ('direct' | 'relay')[];
  /**
   * The selected pair's candidate types (local/remote, e.g. 'srflx/prflx') of the busiest connection
   * as each end reported it; null when that end reported none.
   */
  readonly candidatesFrom: string | null;
  readonly candidatesTo: string | null;
  /** DataChannel payload bytes between the two, both ways. */
  readonly bytes: number;
  /** Connections the two opened (a pair may reconnect). */
  readonly connections: number;
}

export interface NatViewer extends NatPlacement {
  readonly name: string;
  readonly nat: NatType;
  readonly kind: PeerKind;
  readonly peerId: string | null;
  readonly segmentsHttp: number;
  readonly segmentsP2p: number;
  /**
   * Node peers: segments that came after their deadline (a player would have stalled on each).
   * Chromium viewers: the player's stalls ('waiting' after the first 'playing').
   */
  readonly stalls: number;
  /** Node: segments never acquired; Chromium: fatal hls.js errors. */
  readonly segmentsFailed: number;
  readonly httpBytes: number;
  readonly p2pBytes: number;
  readonly uploadedBytes: number;
  /** Segments from peers that matched their signed record, and peers cut off for bad bytes / protocol. */
  readonly segmentsVerified: number;
  readonly integrityFailures: number;
  readonly peerViolations: number;
  /** Connections whose ICE path broke, and those of them an ICE restart brought back. */
  readonly linkInterruptions: number;
  readonly linkRestarts: number;
  /** Chromium only: first 'playing' after this many ms (null: never; undefined for Node). */
  readonly startupMs?: number | null;
  /** Chromium only: local candidates gathered, by type, and their distinct addresses by type. */
  readonly gatheredCandidates?: Readonly<Record<string, number>>;
  readonly candidateAddresses?: Readonly<Record<string, readonly string[]>>;
  /** Acquired at least MIN_SEGMENTS segments, none failed, none late (Chromium: started, no stall). */
  readonly played: boolean;
  readonly errors: readonly string[];
}

export interface NatMatrixResult {
  readonly turn: boolean;
  readonly pairs: readonly NatPair[];
  readonly viewers: readonly NatViewer[];
  readonly viewersPlayed: number;
  /** Bytes from peers / all segment bytes, over all viewers. */
  readonly p2pShare: number;
  /** UDP bytes (IP packets) through coturn's relay ports, both ways (0 without TURN). */
  readonly turnRelayedBytes: number;
  /** Node peers whose process froze and was started again (nat-peers.ts), by name: how often. */
  readonly restarts: Readonly<Record<string, number>>;
}

type LinkInfo = NatPeerReport['connections'][number];

/**
 * Direct when either end's selected pair is direct (ICE found a direct path between them), relay
 * when every selected pair either end reported is relayed, none without any. The two ends of one
 * connection may send on different pairs (seen in about 1 run in 6 under heavy load, on a pair where
 * a direct path exists: one end on it, the other on the relay); pathsSeen keeps both.
 */
function pairPath(links: readonly LinkInfo[]): NatPath {
  if (links.some((c) => c.path === 'direct')) return 'direct';
  return links.some((c) => c.path === 'relay') ? 'relay' : 'none';
}

/** A viewer must have played at least this many segments for the run to count. */
const MIN_SEGMENTS = 3;

export function summarizeNatRun(turn: boolean, members: readonly (NatMember & NatPlacement)[], reports: readonly (NatPeerReport | undefined)[], turnRelayedBytes: number, restarts: Readonly<Record<string, number>> = {}): NatMatrixResult {
  const names = new Map<string, string>();
  for (const [i, r] of reports.entries()) if (r?.peerId) names.set(r.peerId, members[i]?.name ?? '');
  const pairs: NatPair[] = [];
  for (let a = 0; a < members.length; a++) {
    for (let b = a + 1; b < members.length; b++) {
      const pa = members[a];
      const pb = members[b];
      if (!pa || !pb) continue;
      const toward = (side: number, other: string): readonly LinkInfo[] => (reports[side]?.connections ?? []).filter((c) => names.get(c.remotePeerId) === other);
      const fromA = toward(a, pb.name).filter((c) => c.path !== undefined);
      const fromB = toward(b, pa.name).filter((c) => c.path !== undefined);
      // Each connection is seen from both ends: count its bytes once (the larger view).
      const sideBytes = (side: number, other: string): number => toward(side, other).reduce((sum, c) => sum + c.sentBytes + c.receivedBytes, 0);
      const byBytes = (x: LinkInfo, y: LinkInfo): number => y.sentBytes + y.receivedBytes - (x.sentBytes + x.receivedBytes);
      const types = (links: readonly LinkInfo[]): string | null => {
        const top = [...links].sort(byBytes)[0];
        return top ? `${top.localCandidateType ?? '?'}/${top.remoteCandidateType ?? '?'}` : null;
      };
      pairs.push({
        from: pa.name,
        to: pb.name,
        natFrom: pa.nat,
        natTo: pb.nat,
        kindFrom: pa.kind,
        kindTo: pb.kind,
        path: pairPath([...fromA, ...fromB]),
        expected: expectedPath(pa.nat, pb.nat, turn),
        candidatesFrom: types(fromA),
        candidatesTo: types(fromB),
        pathsSeen: [...new Set([...fromA, ...fromB].flatMap((c) => (c.path === undefined ? [] : [c.path])))].sort(),
        bytes: Math.max(sideBytes(a, pb.name), sideBytes(b, pa.name)),
        // Each connection is listed by both ends.
        connections: Math.max(fromA.length, fromB.length),
      });
    }
  }
  const viewers = members.map((m, i) => toViewer(m, reports[i]));
  const http = viewers.reduce((sum, v) => sum + v.httpBytes, 0);
  const p2p = viewers.reduce((sum, v) => sum + v.p2pBytes, 0);
  return {
    turn,
    pairs,
    viewers,
    viewersPlayed: viewers.filter((v) => v.played).length,
    p2pShare: http + p2p === 0 ? 0 : p2p / (http + p2p),
    turnRelayedBytes,
    restarts,
  };
}

function toViewer(m: NatMember & NatPlacement, r: NatPeerReport | undefined): NatViewer {
  const s = r?.segments ?? { http: 0, p2p: 0, late: 0, failed: 0 };
  const started = m.kind === 'node' || (r?.player?.startupMs ?? null) !== null;
  return {
    name: m.name,
    nat: m.nat,
    kind: m.kind,
    address: m.address,
    publicAddress: m.publicAddress,
    peerId: r?.peerId ?? null,
    segmentsHttp: s.http,
    segmentsP2p: s.p2p,
    stalls: s.late,
    segmentsFailed: s.failed,
    httpBytes: r?.httpBytes ?? 0,
    p2pBytes: r?.p2pBytes ?? 0,
    uploadedBytes: r?.uploadedBytes ?? 0,
    segmentsVerified: r?.integrity.segmentsVerified ?? 0,
    integrityFailures: r?.integrity.integrityFailures ?? 0,
    peerViolations: r?.integrity.peerViolations ?? 0,
    linkInterruptions: r?.links.interruptions ?? 0,
    linkRestarts: r?.links.restarts ?? 0,
    ...(r?.player ? { startupMs: r.player.startupMs, gatheredCandidates: r.player.gatheredCandidates, candidateAddresses: r.player.candidateAddresses } : {}),
    played: r !== undefined && started && s.http + s.p2p >= MIN_SEGMENTS && s.failed === 0 && s.late === 0,
    errors: r?.errors ?? [],
  };
}

/** The table as text, one pair a line. */
export function formatNatPairs(pairs: readonly NatPair[]): string {
  return pairs.map((p) => `${p.from.padEnd(26)} ${p.to.padEnd(26)} ${p.path.padEnd(6)} (expected ${p.expected.padEnd(6)}) ${String(p.bytes).padStart(10)} B  ${String(p.connections)} conn  [${p.candidatesFrom ?? '-'} | ${p.candidatesTo ?? '-'}]`).join('\n');
}
