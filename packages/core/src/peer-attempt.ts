/**
 * One request to one peer for a segment (or its rest): its timers (the stall timeout, the P2P
 * deadline, a relay's first byte), what it makes of each message, and how it ends. An Acquisition
 * makes one after another until a peer delivers or HTTP takes over.
 */
import type { SegmentRef } from '@swarmcast/protocol';
import type { AcquisitionHost } from './acquisition-host.js';
import { LateHead, type LateSplit } from './late-split.js';
import type { PartialSegment } from './partial-segment.js';
import type { Peer } from './peer.js';
import type { HttpFetchReason, PeerAttemptOutcome } from './stats.js';

/**
 * A stall timer that fires later than this past its time means our event loop was held meanwhile:
 * its verdict waits for a fresh period (see the stall timer below). Timers of a healthy loop fire within a few ms.
 */
const LATE_TIMER_TOLERANCE_MS = 250;

/**
 * `handedOver`: a relay too slow for the P2P deadline was cancelled for a holder that can send the
 * rest in time (EngineConfig.relayHandoverAfterMs); the acquisition asks that holder next.
 */
export type AttemptResult = 'done' | 'absent' | 'busy' | 'closed' | 'stalled' | 'deadline' | 'mismatch' | 'handedOver';

/** What an attempt needs from the acquisition that makes it. */
export interface AttemptOwner {
  readonly ref: SegmentRef;
  readonly host: AcquisitionHost;
  readonly signal: AbortSignal;
  /** Wake-ups for a deadline moved earlier (a seek): the attempt re-arms its deadline, a head ends. */
  readonly hurried: Set<() => void>;
  readonly stallTimeoutMs: number;
  /** See EngineConfig.relayHandoverAfterMs (0: never). */
  readonly relayHandoverAfterMs: number;
  /** The bytes assembled so far (asked afresh: the acquisition replaces them when it drops bytes). */
  partial(): PartialSegment | undefined;
  /** Peers must have delivered by then (it moves with the measured HTTP margin and expedite()). */
  p2pDeadlineMs(): number;
  /** A peer's chunk: kept (the first one starts the segment), or 'mismatch' when its size differs from the segment's. */
  append(peer: Peer, offsetBytes: number, payload: Uint8Array, totalBytes: number): 'kept' | 'complete' | 'mismatch';
  /** At the P2P deadline: where a late transfer at this pace splits between the peer and HTTP, if it does (see late-split.ts). */
  lateSplit(paceBytes: number, paceMs: number): LateSplit | undefined;
  /** True when a peer not asked yet holds the segment and can send `restBytes` in time (see relayHandoverAfterMs). */
  canHandOver(restBytes: number): boolean;
  /** The late peer goes on with its head; the acquisition fetches the tail. */
  goesOn(head: LateHead): void;
  /** A chunk of that head. */
  headChunk(peer: Peer, offsetBytes: number, payload: Uint8Array, totalBytes: number, head: LateHead): void;
  /** The peer answered ABSENT: if it sent us bytes of the segment, they cannot be trusted any more. */
  dropBytesOf(peer: Peer): void;
}

/** Asks `peer` for the segment from what `owner` holds, until it delivers, fails or the P2P deadline. */
export function askPeer(owner: AttemptOwner, peer: Peer): Promise<AttemptResult> {
  const { clock } = owner.host;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    let stallTimer: unknown;
    /** When the stall timer was last armed: the request, or its last chunk. */
    let stallSinceMs = 0;
    const held = peer.stateOf(owner.ref) === 'have';
    /**
     * Our time ran out while a holder was asked and had neither sent a byte nor said QUEUED: we
     * move on, but the request stays open until the stall timeout, so a peer that sends nothing
     * is judged as if we had waited, while an honest one starts sending (a cancel would stop it
     * too). Without it, a liar asked less than p2pStallTimeoutMs before our P2P deadline (a short
     * urgent try, a small measured HTTP margin) would go unjudged. One that sent or queued is slow,
     * not lying, and is cancelled at once: what it sent on while judged was thrown away (with the
     * rest of the waste, 10-16 % of the bytes uploaded in constrained 8-viewer bench:live runs).
     */
    let judging = false;
    let judgeEndTimer: unknown;
    const stopJudging = (): void => {
      judging = false;
      clock.clearTimeout(stallTimer);
      clock.clearTimeout(judgeEndTimer);
    };
    const askedAtMs = clock.now();
    const askedWithinMs = Math.max(0, owner.p2pDeadlineMs() - askedAtMs);
    /** From the request to the first byte, once one came. */
    let firstByteMs: number | undefined;
    /** The peer said QUEUED for this request: admitted, waiting its turn. */
    let queued = false;
    /** Bytes this peer sent in this attempt (its pace, for a late split). */
    let attemptBytes = 0;
    /** Past the P2P deadline, the peer's head of the rest (see late-split.ts). */
    let head: LateHead | undefined;
    const finish = (result: AttemptResult, goesOn = false): void => {
      if (settled) return;
      settled = true;
      // A load the player dropped ends its attempt too: not the peer's doing.
      if (!owner.signal.aborted) {
        owner.host.countPeerAttempt(attemptOutcome(result), askedWithinMs, { firstByteMs, relay: !held, queued, handedOver: result === 'handedOver' });
      }
      clock.clearTimeout(guardTimer);
      owner.signal.removeEventListener('abort', onAbort);
      owner.hurried.delete(armGuard);
      if (goesOn) {
        peer.deliveredLate();
        resolve(result);
        return;
      }
      if (result === 'deadline' && held && firstByteMs === undefined && !queued && !owner.signal.aborted) {
        judging = true;
        peer.deliveredLate();
        // Still sending a stall timeout later: slow, not lying; the rest is not worth its bytes.
        judgeEndTimer = clock.setTimeout(() => {
          stopJudging();
          peer.cancel(requestId);
        }, owner.stallTimeoutMs);
        resolve(result);
        return;
      }
      clock.clearTimeout(stallTimer);
      // A stall may cut the peer off (silence after HAVE); the other give-ups only cancel.
      if (result === 'stalled') peer.stalled(requestId, stallSinceMs);
      else if (result !== 'done' && result !== 'absent' && result !== 'busy' && result !== 'closed') peer.cancel(requestId);
      if (result === 'stalled' || result === 'deadline') peer.deliveredLate();
      else if (result === 'done') peer.deliveredInTime();
      resolve(result);
    };
    const armStall = (): void => {
      clock.clearTimeout(stallTimer);
      stallSinceMs = clock.now();
      stallTimer = clock.setTimeout(() => {
        // Fired late: our own event loop was held (a busy or CPU-starved process), and the
        // peer's bytes may be waiting behind this very timer. Silence is judged on time we were
        // awake to see it: a fresh stall period from now.
        if (clock.now() - stallSinceMs - owner.stallTimeoutMs > LATE_TIMER_TOLERANCE_MS) {
          armStall();
          return;
        }
        if (!judging) {
          finish('stalled');
          return;
        }
        stopJudging();
        peer.stalled(requestId, stallSinceMs);
      }, owner.stallTimeoutMs);
    };
    const onAbort = (): void => finish('deadline');
    const goOnWithHead = (split: LateSplit): void => {
      clock.clearTimeout(stallTimer);
      // Short of the whole segment at its end, the peer would send on past the split.
      head = new LateHead(split.splitBytes, split.cutoffMs, clock, owner.signal, owner.hurried, () => {
        if (owner.partial()?.complete !== true) peer.cancel(requestId);
      });
      owner.goesOn(head);
      finish('deadline', true);
    };
    /** At the P2P deadline: the whole rest to HTTP, or a head from the peer and the tail from HTTP. */
    const onP2pDeadline = (): void => {
      if (settled) return;
      const split = firstByteMs === undefined ? undefined : owner.lateSplit(attemptBytes, clock.now() - askedAtMs - firstByteMs);
      if (split) goOnWithHead(split);
      else finish('deadline');
    };
    /**
     * A relay still receiving its own copy, whose pace since its first byte (relayHandoverAfterMs
     * at least) would finish our rest after the P2P deadline, while a holder could send it in time.
     * Not a late delivery of the relay's: its own source set its pace.
     */
    const tooSlowRelay = (restBytes: number): boolean => {
      if (held || owner.relayHandoverAfterMs === 0 || firstByteMs === undefined || restBytes <= 0) return false;
      const now = clock.now();
      const paceMs = now - askedAtMs - firstByteMs;
      if (paceMs < owner.relayHandoverAfterMs || peer.stateOf(owner.ref) === 'have') return false;
      return now + (restBytes * paceMs) / attemptBytes > owner.p2pDeadlineMs() && owner.canHandOver(restBytes);
    };
    let guardTimer: unknown;
    const armGuard = (): void => {
      clock.clearTimeout(guardTimer);
      guardTimer = clock.setTimeout(onP2pDeadline, Math.max(0, owner.p2pDeadlineMs() - clock.now()));
    };
    armGuard();
    owner.hurried.add(armGuard);
    owner.signal.addEventListener('abort', onAbort);
    // A peer that is itself still receiving answers once it has the segment: no stall timer until
    // then, but a bounded wait for its first byte, so a false 'receiving' cannot hold us to the deadline.
    if (peer.stateOf(owner.ref) === 'have') armStall();
    else stallTimer = clock.setTimeout(() => finish('deadline'), 2 * owner.stallTimeoutMs);
    const requestId = peer.request(owner.ref, owner.partial()?.receivedBytes ?? 0, owner.p2pDeadlineMs() - clock.now(), {
      data: (offsetBytes, payload, totalBytes) => {
        if (judging) {
          if (offsetBytes + payload.length >= totalBytes) stopJudging();
          else armStall();
          return;
        }
        if (settled) {
          if (head?.active === true) owner.headChunk(peer, offsetBytes, payload, totalBytes, head);
          return;
        }
        firstByteMs ??= clock.now() - askedAtMs;
        const kept = owner.append(peer, offsetBytes, payload, totalBytes);
        if (kept === 'mismatch') {
          finish('mismatch');
          return;
        }
        attemptBytes += payload.length;
        if (kept === 'complete') finish('done');
        else if (tooSlowRelay(totalBytes - offsetBytes - payload.length)) finish('handedOver');
        else armStall();
      },
      queued: () => {
        // Admitted, waiting its turn: not a stall (a holder that only ever says so ends late, and
        // ranks lower for it).
        queued = true;
        if (judging || !settled) armStall();
      },
      failed: (reason) => {
        if (judging) stopJudging();
        // A relaying peer that gives up mid-segment may have thrown its bytes away (a failed
        // check upstream): what it sent us cannot be trusted to continue over HTTP.
        if (reason === 'absent') owner.dropBytesOf(peer);
        head?.end();
        finish(reason);
      },
    });
  });
}

/** How a request to a peer ended, as EngineStats.peerAttempts counts it. */
function attemptOutcome(result: AttemptResult): PeerAttemptOutcome {
  if (result === 'done') return 'delivered';
  if (result === 'deadline' || result === 'handedOver') return 'late';
  if (result === 'stalled' || result === 'busy') return result;
  return 'failed';
}

/** The HTTP fetch reason a failed peer attempt leaves. */
export function reasonOf(result: AttemptResult): HttpFetchReason {
  if (result === 'busy') return 'peerBusy';
  if (result === 'stalled') return 'peerStalled';
  if (result === 'deadline' || result === 'handedOver') return 'peerLate';
  return 'peerFailed';
}
