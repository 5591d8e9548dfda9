/**
 * One NAT traversal run: the lab (nat-lab.ts), origin + tracker (+ coturn for STUN and TURN) on its
 * public side, one viewer-like Node peer per host, a live stream played for `playMs`, then the table
 * of what every pair of peers got: the ICE path their connection took (direct, relay, or none) and
 * the DataChannel bytes between them.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { startCoturn, type Coturn } from './coturn.js';
import { createNatLab, PUBLIC_SERVER_ADDRESS, type NatLab } from './nat-lab.js';
import type { NatPeerReport } from './nat-peer-report.js';
import { startNatPeer, type NatPeer } from './nat-peers.js';
import { countRelayBytes, type RelayCounter } from './relay-counter.js';
import { expectedPath, type NatType } from './nat-rules.js';
import { startStack, type Stack } from './stack.js';

export interface NatMatrixOptions {
  readonly nats: readonly NatType[];
  /** coturn as STUN server only (false) or STUN and TURN, its TURN URL announced by the tracker (true). */
  readonly turn: boolean;
  readonly playMs: number;
  /** The viewers' buffer, ms. @default 6000 */
  readonly segmentDelayMs?: number;
  /** Gap between two peers' starts, ms. @default 500 */
  readonly startSpreadMs?: number;
  readonly log?: (line: string) => void;
  /** Aborting it ends the run early (it rejects), with everything it started stopped and removed. */
  readonly signal?: AbortSignal;
}

export type NatPath = 'direct' | 'relay' | 'none';

export interface NatPair {
  readonly from: string;
  readonly to: string;
  readonly natFrom: NatType;
  readonly natTo: NatType;
  readonly path: NatPath;
  /** What nat-rules.ts says it should be. */
  readonly expected: NatPath;
  /** DataChannel payload bytes between the two, both ways. */
  readonly bytes: number;
  /** Connections the two opened (a pair may reconnect). */
  readonly connections: number;
}

export interface NatViewer {
  readonly name: string;
  readonly nat: NatType;
  readonly peerId: string | null;
  readonly segmentsHttp: number;
  readonly segmentsP2p: number;
  /** Segments that came after their deadline (a player would have stalled on each). */
  readonly stalls: number;
  readonly segmentsFailed: number;
  readonly httpBytes: number;
  readonly p2pBytes: number;
  readonly uploadedBytes: number;
  /** Acquired at least minSegments segments, none failed, none late. */
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
}

const PEER_OPTIONS = { maxPeers: 10, connectTimeoutMs: 5_000, peerRefillIntervalMs: 2_000 };

export async function runNatMatrix(options: NatMatrixOptions): Promise<NatMatrixResult> {
  const log = options.log ?? (() => undefined);
  let lab: NatLab | undefined;
  let coturn: Coturn | undefined;
  let stack: Stack | undefined;
  let relayCounter: RelayCounter | undefined;
  const peers: NatPeer[] = [];
  try {
    lab = await createNatLab(options.nats);
    coturn = await startCoturn({ address: PUBLIC_SERVER_ADDRESS });
    relayCounter = countRelayBytes(coturn.relayPorts);
    const tracker = options.turn ? { turn: { urls: coturn.urls, secret: coturn.secret } } : {};
    stack = await startStack({ liveSource: 'loop', host: PUBLIC_SERVER_ADDRESS, tracker });
    const peerOptions = {
      streamUrl: stack.origin.liveMasterUrl,
      trackerUrl: stack.tracker.url,
      stunUrl: `stun:${PUBLIC_SERVER_ADDRESS}:${String(coturn.port)}`,
      segmentDelayMs: options.segmentDelayMs ?? 6_000,
      ...PEER_OPTIONS,
    };
    for (const host of lab.hosts) {
      peers.push(startNatPeer(lab, host, peerOptions));
      await delay(options.startSpreadMs ?? 500, undefined, { signal: options.signal });
    }
    log(`${String(peers.length)} peers started (${options.turn ? 'STUN + TURN' : 'STUN only'}); playing ${String(options.playMs)} ms`);
    await delay(options.playMs, undefined, { signal: options.signal });
    const reports = await Promise.all(peers.map((p) => p.stop()));
    for (const [i, p] of peers.entries()) if (reports[i] === undefined) log(`${p.host.name} wrote no report; stderr:\n${p.stderr()}`);
    const turnRelayedBytes = relayCounter.bytes();
    return summarize(options, peers, reports, turnRelayedBytes);
  } finally {
    await Promise.allSettled(peers.map((p) => p.stop()));
    await Promise.allSettled([stack?.close(), coturn?.close()]);
    relayCounter?.close();
    await lab?.close();
  }
}

/** A viewer must have played at least this many segments for the run to count. */
const MIN_SEGMENTS = 3;

function summarize(options: NatMatrixOptions, peers: readonly NatPeer[], reports: readonly (NatPeerReport | undefined)[], turnRelayedBytes: number): NatMatrixResult {
  const names = new Map<string, string>();
  for (const [i, r] of reports.entries()) if (r?.peerId) names.set(r.peerId, peers[i]?.host.name ?? '');
  const pairs: NatPair[] = [];
  for (let a = 0; a < peers.length; a++) {
    for (let b = a + 1; b < peers.length; b++) {
      const pa = peers[a];
      const pb = peers[b];
      if (!pa || !pb) continue;
      const fromA = (reports[a]?.connections ?? []).filter((c) => c.path !== undefined && names.get(c.remotePeerId) === pb.host.name);
      const fromB = (reports[b]?.connections ?? []).filter((c) => c.path !== undefined && names.get(c.remotePeerId) === pa.host.name);
      const links = [...fromA, ...fromB];
      // Each connection is seen from both ends: count its bytes once (the larger view).
      const sideBytes = (side: number): number => (reports[side]?.connections ?? [])
        .filter((c) => names.get(c.remotePeerId) === (side === a ? pb.host.name : pa.host.name))
        .reduce((sum, c) => sum + c.sentBytes + c.receivedBytes, 0);
      const busiest = [...links].sort((x, y) => y.sentBytes + y.receivedBytes - (x.sentBytes + x.receivedBytes))[0];
      pairs.push({
        from: pa.host.name,
        to: pb.host.name,
        natFrom: pa.host.nat,
        natTo: pb.host.nat,
        path: busiest?.path ?? 'none',
        expected: expectedPath(pa.host.nat, pb.host.nat, options.turn),
        bytes: Math.max(sideBytes(a), sideBytes(b)),
        // Each connection is listed by both ends.
        connections: Math.max(fromA.length, fromB.length),
      });
    }
  }
  const viewers = peers.map((p, i): NatViewer => {
    const r = reports[i];
    const s = r?.segments ?? { http: 0, p2p: 0, late: 0, failed: 0 };
    return {
      name: p.host.name,
      nat: p.host.nat,
      peerId: r?.peerId ?? null,
      segmentsHttp: s.http,
      segmentsP2p: s.p2p,
      stalls: s.late,
      segmentsFailed: s.failed,
      httpBytes: r?.httpBytes ?? 0,
      p2pBytes: r?.p2pBytes ?? 0,
      uploadedBytes: r?.uploadedBytes ?? 0,
      played: s.http + s.p2p >= MIN_SEGMENTS && s.failed === 0 && s.late === 0,
      errors: r?.errors ?? [],
    };
  });
  const http = viewers.reduce((sum, v) => sum + v.httpBytes, 0);
  const p2p = viewers.reduce((sum, v) => sum + v.p2pBytes, 0);
  return {
    turn: options.turn,
    pairs,
    viewers,
    viewersPlayed: viewers.filter((v) => v.played).length,
    p2pShare: http + p2p === 0 ? 0 : p2p / (http + p2p),
    turnRelayedBytes,
  };
}

/** The table as text, one pair a line. */
export function formatNatPairs(pairs: readonly NatPair[]): string {
  return pairs.map((p) => `${p.from.padEnd(18)} ${p.to.padEnd(18)} ${p.path.padEnd(6)} (expected ${p.expected.padEnd(6)}) ${String(p.bytes).padStart(10)} B  ${String(p.connections)} conn`).join('\n');
}
