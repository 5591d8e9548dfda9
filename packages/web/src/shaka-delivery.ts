/** Swarmcast for the Shaka viewer page: segments from peers over WebRTC, HTTP as the fallback. */
import { Swarmcast, type ShakaPlayer } from '@swarmcast/shaka';
import type { DeliveryStats } from './delivery.js';
import type { P2pDeliveryOptions } from './p2p-delivery.js';
import type { SegmentRecorder } from './segment-recorder.js';
import { SwarmLog } from './swarm-log.js';

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
    recorder.record({ rendition: e.rendition, sn: e.sn, source: e.source, bytes: e.bytes, loadMs: e.loadMs });
  });
  swarmcast.on('error', (e) => {
    console.warn('[swarmcast-web] swarmcast error', e.error);
  });
  const log = new SwarmLog();
  swarmcast.on('peer-disconnected', (e) => { log.peerDisconnected(e); });
  swarmcast.on('peer-connected', (e) => { log.path(e.peerId, 'connected'); });
  swarmcast.on('peer-interrupted', (e) => { log.path(e.peerId, 'interrupted'); });
  swarmcast.on('peer-resumed', (e) => { log.path(e.peerId, e.restarted ? 'restarted' : 'resumed'); });
  swarmcast.on('tracker-connected', () => { log.tracker('connected'); });
  swarmcast.on('tracker-disconnected', () => { log.tracker('disconnected'); });
  let destroyed = false;
  return {
    attach(player: ShakaPlayer): void {
      swarmcast.attach(player);
    },
    stats(): DeliveryStats {
      return log.stats(swarmcast.stats());
    },
    destroy(): void {
      if (destroyed) return;
      destroyed = true;
      swarmcast.destroy();
    },
  };
}
