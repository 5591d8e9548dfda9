/**
 * One NAT traversal run: the lab (nat-lab.ts), origin + tracker (+ coturn for STUN and TURN) on its
 * public side, one peer per host (a viewer-like Node peer, nat-peers.ts, or a Chromium viewer,
 * nat-chromium.ts), a live stream played for `playMs`, then the table of what every pair of peers
 * got (nat-matrix-summary.ts): the ICE path their connection took (direct, relay, or none) and the
 * DataChannel bytes between them.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { startCoturn, type Coturn } from './coturn.js';
import { createNatLab, PUBLIC_SERVER_ADDRESS, type NatLab } from './nat-lab.js';
import { startNatChromium } from './nat-chromium.js';
import { summarizeNatRun, type NatMatrixResult, type NatMember, type PeerKind } from './nat-matrix-summary.js';
import { startNatPeer, type NatPeer } from './nat-peers.js';
import { countRelayBytes, type RelayCounter } from './relay-counter.js';
import type { NatType } from './nat-rules.js';
import { startStack, type Stack } from './stack.js';

export interface NatMatrixOptions {
  /** One Node peer per entry, behind its own NAT of that type. */
  readonly nats: readonly NatType[];
  /** One Chromium viewer per entry (after the Node peers), behind its own NAT of that type. @default [] */
  readonly chromiumNats?: readonly NatType[];
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

export { formatNatPairs, type NatMatrixResult, type NatPair, type NatPath, type NatViewer, type PeerKind } from './nat-matrix-summary.js';

const PEER_OPTIONS = { maxPeers: 10, connectTimeoutMs: 5_000, peerRefillIntervalMs: 2_000 };

export async function runNatMatrix(options: NatMatrixOptions): Promise<NatMatrixResult> {
  const log = options.log ?? (() => undefined);
  let lab: NatLab | undefined;
  let coturn: Coturn | undefined;
  let stack: Stack | undefined;
  let relayCounter: RelayCounter | undefined;
  const peers: NatPeer[] = [];
  const members = natMembers(options.nats, options.chromiumNats ?? []);
  try {
    lab = await createNatLab(members.map((m) => m.nat));
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
    for (const [i, host] of lab.hosts.entries()) {
      peers.push(members[i]?.kind === 'chromium' ? await startNatChromium(lab, host, peerOptions) : startNatPeer(lab, host, peerOptions));
      await delay(options.startSpreadMs ?? 500, undefined, { signal: options.signal });
    }
    log(`${String(peers.length)} peers started (${options.turn ? 'STUN + TURN' : 'STUN only'}); playing ${String(options.playMs)} ms`);
    await delay(options.playMs, undefined, { signal: options.signal });
    const reports = await Promise.all(peers.map((p) => p.stop()));
    const restarts: Record<string, number> = {};
    for (const [i, p] of peers.entries()) {
      const name = members[i]?.name ?? p.host.name;
      if (reports[i] === undefined) log(`${name} wrote no report; stderr:\n${p.stderr()}`);
      if (p.restarts() > 0) {
        restarts[name] = p.restarts();
        log(`${name} froze and was started again (${String(p.restarts())}x); stderr:\n${p.stderr()}`);
      }
    }
    const turnRelayedBytes = relayCounter.bytes();
    const placed = lab.hosts.map((h, i) => ({ ...members[i] ?? { name: h.name, nat: h.nat, kind: 'node' as const }, address: h.address, publicAddress: h.publicAddress }));
    return summarizeNatRun(options.turn, placed, reports, turnRelayedBytes, restarts);
  } finally {
    await Promise.allSettled(peers.map((p) => p.stop()));
    await Promise.allSettled([stack?.close(), coturn?.close()]);
    relayCounter?.close();
    await lab?.close();
  }
}

/** Node peers first, then Chromium viewers, each numbered within its kind and NAT type. */
export function natMembers(nodeNats: readonly NatType[], chromiumNats: readonly NatType[]): NatMember[] {
  const counts = new Map<string, number>();
  const member = (nat: NatType, kind: PeerKind): NatMember => {
    const prefix = kind === 'chromium' ? `chromium-${nat}` : nat;
    const n = (counts.get(prefix) ?? 0) + 1;
    counts.set(prefix, n);
    return { name: `${prefix}-${String(n)}`, nat, kind };
  };
  return [...nodeNats.map((n) => member(n, 'node')), ...chromiumNats.map((n) => member(n, 'chromium'))];
}
