/**
 * The Shaka page's baseline (`p2p=0`): plain Shaka Player over HTTP, no Swarmcast. Counts the bytes
 * of every segment response (init segments included, as the hls.js baseline counts every fragment);
 * segments are not recorded (their {rendition, sn} identity is Swarmcast's, which this mode lacks).
 */
import { shaka, type ShakaPlayer } from '@swarmcast/shaka';
import { NO_INTEGRITY, NO_LINKS } from './delivery.js';
import type { DeliveryStats } from './delivery.js';
import type { ShakaDelivery } from './shaka-delivery.js';

type ResponseFilter = Parameters<NonNullable<ReturnType<ShakaPlayer['getNetworkingEngine']>>['registerResponseFilter']>[0];

export function createShakaHttpDelivery(): ShakaDelivery {
  let httpBytes = 0;
  let player: ShakaPlayer | null = null;
  const onResponse: ResponseFilter = (type, response) => {
    if (type === shaka.net.NetworkingEngine.RequestType.SEGMENT) httpBytes += response.data.byteLength;
  };
  return {
    attach(attached: ShakaPlayer): void {
      player = attached;
      attached.getNetworkingEngine()?.registerResponseFilter(onResponse);
    },
    stats(): DeliveryStats {
      return { httpBytes, p2pBytes: 0, uploadedBytes: 0, controlBytes: 0, peers: 0, peerId: null, disconnects: [], trackerEvents: [], pathEvents: [], links: NO_LINKS, integrity: NO_INTEGRITY, httpFetchReasons: null, seeder: null, uploadRefusals: null, peerAttempts: null, lateSplits: null, wants: null, controlBytesByType: null, silencesExcused: null, uplinkBytesPerSec: null, uploadPaceBytesPerSec: null, timerLagMs: null, joinDelayMs: null };
    },
    destroy(): void {
      player?.getNetworkingEngine()?.unregisterResponseFilter(onResponse);
      player = null;
    },
  };
}
