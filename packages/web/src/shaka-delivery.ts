/** Swarmcast for the Shaka viewer page: segments from peers over WebRTC, HTTP as the fallback. */
import { Swarmcast, type ShakaPlayer } from '@swarmcast/shaka';
import { NO_INTEGRITY } from './delivery.js';
import type { DeliveryStats } from './delivery.js';
import type { P2pDeliveryOptions } from './p2p-delivery.js';
import type { SegmentRecorder } from './segment-recorder.js';
import type { PeerDisconnect, TrackerEvent } from './viewer-report.js';

/** Disconnects kept for the report (the oldest dropped first). */
const MAX_DISCONNECTS_KEPT = 200;

export interface ShakaDelivery {
  /** Call once, after player.attach(video) and before player.load(). */
  attach(player: ShakaPlayer): void;
  stats(): DeliveryStats;
  /** Idempotent. */
  destroy(): void;
}

export function createShakaP2pDelivery(trackerUrl: string, recorder: SegmentRecorder, options: P2pDeliveryOptions = {}): ShakaDelivery {
  const swarmcast = new Swarmcast({
    trackerUrl,
    ...(options.trackerUrls !== undefined && options.trackerUrls.length > 0 ? { trackerUrls: [...options.trackerUrls] } : {}),
    ...(options.privacy === true ? { privacy: true } : {}),
  });
  swarmcast.on('segment', (e) => {
    recorder.record({ rendition: e.rendition, sn: e.sn, source: e.source, bytes: e.bytes });
  });
  swarmcast.on('error', (e) => {
    console.warn('[swarmcast-web] swarmcast error', e.error);
  });
  const disconnects: PeerDisconnect[] = [];
  swarmcast.on('peer-disconnected', (e) => {
    disconnects.push({ peerId: e.peerId, reason: e.reason, atMs: performance.timeOrigin + performance.now() });
    if (disconnects.length > MAX_DISCONNECTS_KEPT) disconnects.shift();
  });
  const trackerEvents: TrackerEvent[] = [];
  const trackerEvent = (kind: TrackerEvent['kind']): void => {
    trackerEvents.push({ kind, atMs: performance.timeOrigin + performance.now() });
    if (trackerEvents.length > MAX_DISCONNECTS_KEPT) trackerEvents.shift();
  };
  swarmcast.on('tracker-connected', () => { trackerEvent('connected'); });
  swarmcast.on('tracker-disconnected', () => { trackerEvent('disconnected'); });
  let destroyed = false;
  return {
    attach(player: ShakaPlayer): void {
      swarmcast.attach(player);
    },
    stats(): DeliveryStats {
      const s = swarmcast.stats();
      return {
        httpBytes: s.httpBytes,
        p2pBytes: s.p2pBytes,
        uploadedBytes: s.uploadedBytes,
        controlBytes: s.controlBytes,
        peers: s.peers,
        peerId: s.peerId,
        disconnects: [...disconnects],
        trackerEvents: [...trackerEvents],
        integrity: s.engine
          ? {
              segmentsVerified: s.engine.segmentsVerified,
              integrityFailures: s.engine.integrityFailures,
              peerViolations: s.engine.peerViolations,
              hashMs: s.engine.hashMs,
              segmentsHashed: s.engine.segmentsHashed,
              signatureMs: s.engine.signatureMs,
              signaturesChecked: s.engine.signaturesChecked,
            }
          : NO_INTEGRITY,
      };
    },
    destroy(): void {
      if (destroyed) return;
      destroyed = true;
      swarmcast.destroy();
    },
  };
}
