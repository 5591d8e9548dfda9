/**
 * What a viewer page keeps of its Swarmcast instance for the report, whichever player it serves
 * (the hls.js and Shaka packages have the same events and stats): peer disconnects, tracker
 * connects/disconnects, and the counters in the report's shape.
 */
import type { SwarmcastStats } from '@swarmcast/hlsjs';
import { NO_INTEGRITY, NO_LINKS } from './delivery.js';
import type { DeliveryStats } from './delivery.js';
import type { PeerDisconnect, PeerPathEvent, TrackerEvent } from './viewer-report.js';

/** Events kept of each kind (the oldest dropped first). */
const MAX_EVENTS_KEPT = 200;

/** The counters both packages' `Swarmcast.stats()` return (the same shape). */
export type SwarmcastCounters = SwarmcastStats;

const now = (): number => performance.timeOrigin + performance.now();

export class SwarmLog {
  private readonly disconnects: PeerDisconnect[] = [];
  private readonly trackerEvents: TrackerEvent[] = [];
  private readonly pathEvents: PeerPathEvent[] = [];

  peerDisconnected(e: { readonly peerId: string; readonly reason: string }): void {
    this.disconnects.push({ peerId: e.peerId, reason: e.reason, atMs: now() });
    if (this.disconnects.length > MAX_EVENTS_KEPT) this.disconnects.shift();
  }

  path(peerId: string, kind: PeerPathEvent['kind']): void {
    this.pathEvents.push({ peerId, kind, atMs: now() });
    if (this.pathEvents.length > MAX_EVENTS_KEPT) this.pathEvents.shift();
  }

  tracker(kind: TrackerEvent['kind']): void {
    this.trackerEvents.push({ kind, atMs: now() });
    if (this.trackerEvents.length > MAX_EVENTS_KEPT) this.trackerEvents.shift();
  }

  stats(s: SwarmcastCounters): DeliveryStats {
    const e = s.engine;
    return {
      httpBytes: s.httpBytes,
      p2pBytes: s.p2pBytes,
      uploadedBytes: s.uploadedBytes,
      controlBytes: s.controlBytes,
      peers: s.peers,
      peerId: s.peerId,
      disconnects: [...this.disconnects],
      trackerEvents: [...this.trackerEvents],
      pathEvents: [...this.pathEvents],
      links: e
        ? { interruptions: e.linkInterruptions, recoveries: e.linkRecoveries, restarts: e.linkRestarts, interruptedClosed: e.interruptedLinksClosed }
        : NO_LINKS,
      integrity: e
        ? {
            segmentsVerified: e.segmentsVerified,
            integrityFailures: e.integrityFailures,
            peerViolations: e.peerViolations,
            hashMs: e.hashMs,
            segmentsHashed: e.segmentsHashed,
            signatureMs: e.signatureMs,
            signaturesChecked: e.signaturesChecked,
            liveRecordFetches: e.liveRecordFetches,
            recordsRejected: e.recordsRejected,
          }
        : NO_INTEGRITY,
      httpFetchReasons: e ? { ...e.httpFetchReasons } : null,
      uplinkBytesPerSec: e?.uplinkBytesPerSec ?? null,
      uploadPaceBytesPerSec: e?.uploadPaceBytesPerSec ?? null,
      timerLagMs: e?.timerLagMs ?? null,
      joinDelayMs: e?.joinDelayMs ?? null,
      uploadRefusals: e ? { ...e.uploadRefusals } : null,
      peerAttempts: e ? { ...e.peerAttempts } : null,
      lateSplits: e ? { ...e.lateSplits } : null,
      wants: e ? { sent: e.wantsSent, received: e.wantsReceived, fetched: e.wantFetches, urlMismatches: e.wantUrlMismatches } : null,
      controlBytesByType: e ? { ...e.controlBytesSentByType } : null,
      silencesExcused: e ? { ...e.silencesExcused } : null,
      seeder: e ? { attempts: e.seederAttempts, deliveries: e.seederDeliveries, waitMs: e.seederWaitMs, httpFetchesAfter: e.httpFetchesAfterSeeder } : null,
    };
  }
}
