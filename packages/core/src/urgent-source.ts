/**
 * An acquisition's peer part when too little time is left for the usual P2P attempt (startup, a
 * thin buffer): a short try of a seeder, or else of a connected holder, before HTTP.
 */
import type { AcquiredSegment } from './acquisition-host.js';
import type { AcquisitionParts } from './acquisition-parts.js';
import { throwIfLoadAborted } from './errors.js';
import type { Peer } from './peer.js';
import { askPeer, reasonOf } from './peer-attempt.js';

/** An urgent try shorter than this could not bring a segment's first chunks: straight to HTTP. */
const MIN_URGENT_TRY_MS = 100;

/**
 * Too little time for the usual P2P attempt (startup, a thin buffer): a seeder is asked anyway,
 * for seederWaitMs at most (a wait for its connection included); without one, a connected holder
 * that was never late, for urgentPeerWaitMs at most and only while HTTP would still make the
 * deadline after it. What they did not send by then comes over HTTP with a Range request.
 */
export async function fromUrgentSource(parts: AcquisitionParts): Promise<AcquiredSegment | undefined> {
  const { ref, config, host, signal, deadlines, fallback } = parts;
  const { clock } = host;
  const startMs = clock.now();
  if (config.seederWaitMs > 0) {
    const untilMs = startMs + config.seederWaitMs;
    const seeder = await host.seederHolding(ref, untilMs, signal);
    throwIfLoadAborted(signal);
    if (seeder && host.p2pAllowed(ref) && clock.now() < untilMs) {
      const result = await fromUrgentPeer(parts, seeder, untilMs);
      host.countSeederAttempt(clock.now() - startMs, result !== undefined);
      return result;
    }
    // Counted when it waited for a seeder's connection; not for the tick it takes to find none.
    if (clock.now() - startMs >= 1) host.countSeederAttempt(clock.now() - startMs, false);
  }
  const untilMs = Math.min(clock.now() + config.urgentPeerWaitMs, deadlines.deadlineMs - deadlines.safetyMs());
  if (untilMs - clock.now() < MIN_URGENT_TRY_MS || !host.p2pAllowed(ref)) {
    fallback.slack();
    return undefined;
  }
  let holder = host.urgentHolder(ref);
  // Joining: the connections being made may bring a holder (their HAVE-MAPs wake us) in time.
  // Strictly before the last useful moment: a wait that ends there must not start another.
  const waitUntilMs = untilMs - MIN_URGENT_TRY_MS / 2;
  while (!holder && host.connecting() && clock.now() < waitUntilMs) {
    await host.waitForAnnouncement(ref, waitUntilMs, signal, false);
    throwIfLoadAborted(signal);
    holder = host.urgentHolder(ref);
  }
  if (!holder || untilMs - clock.now() < MIN_URGENT_TRY_MS / 2) {
    fallback.slack();
    return undefined;
  }
  const result = await fromUrgentPeer(parts, holder, untilMs);
  host.countUrgentAttempt(result !== undefined);
  return result;
}

/** Asks `peer` for the segment until `untilMs`: the checked bytes, or undefined to go on over HTTP. */
async function fromUrgentPeer(parts: AcquisitionParts, peer: Peer, untilMs: number): Promise<AcquiredSegment | undefined> {
  const { deadlines, assembly } = parts;
  deadlines.urgentUntilMs = untilMs;
  try {
    const result = await askPeer(parts.attemptOwner, peer);
    if (result === 'done' && assembly.partial?.complete === true) {
      if ((await assembly.checked(assembly.partial.bytes, untilMs)) === 'ok') return { bytes: assembly.partial.bytes, source: 'p2p' };
      parts.fallback.peerFailed(peer, 'unverified');
    } else {
      parts.fallback.peerFailed(peer, reasonOf(result));
    }
    return undefined;
  } finally {
    deadlines.urgentUntilMs = undefined;
  }
}
