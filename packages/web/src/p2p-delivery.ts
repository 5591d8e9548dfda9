/** Swarmcast: segments from peers over WebRTC, HTTP as the fallback. */
import type Hls from 'hls.js';
import { Swarmcast } from '@swarmcast/hlsjs';
import { NO_INTEGRITY } from './delivery.js';
import type { Delivery, DeliveryStats } from './delivery.js';
import type { SegmentRecorder } from './segment-recorder.js';
import type { PeerDisconnect, TrackerEvent } from './viewer-report.js';

/** Disconnects kept for the report (the oldest dropped first). */
const MAX_DISCONNECTS_KEPT = 200;

export interface P2pDeliveryOptions {
  /** Swarmcast's privacy mode: peers only through TURN relays. @default false */
  readonly privacy?: boolean;
  /** Several tracker URLs (cluster nodes), tried in turn; trackerUrl is then the first. @default [] */
  readonly trackerUrls?: readonly string[];
  /** Group label sent to the tracker (see EngineConfig.group). @default undefined */
  readonly group?: string | undefined;
}

export function createP2pDelivery(trackerUrl: string, recorder: SegmentRecorder, options: P2pDeliveryOptions = {}): Delivery {
  const swarmcast = new Swarmcast({
    trackerUrl,
    ...(options.trackerUrls !== undefined && options.trackerUrls.length > 0 ? { trackerUrls: [...options.trackerUrls] } : {}),
    ...(options.privacy === true ? { privacy: true } : {}),
    ...(options.group === undefined ? {} : { group: options.group }),
  });
  swarmcast.on('segment', (e) => {
    recorder.record({ rendition: e.rendition, sn: e.sn, source: e.source, bytes: e.bytes });
  });
  // Init segments (EXT-X-MAP) are shared too: recorded under their own id, so they are checked as well.
  swarmcast.on('init-segment', (e) => {
    recorder.record({ rendition: e.rendition, sn: e.sn, source: e.source, bytes: e.bytes });
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
    hlsConfig: swarmcast.hlsConfig(),
    attach(hls: Hls): void {
      swarmcast.attach(hls);
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
