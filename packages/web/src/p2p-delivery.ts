/** Swarmcast: segments from peers over WebRTC, HTTP as the fallback. */
import type Hls from 'hls.js';
import { Swarmcast } from '@swarmcast/hlsjs';
import type { Delivery, DeliveryStats } from './delivery.js';
import type { SegmentRecorder } from './segment-recorder.js';

export function createP2pDelivery(trackerUrl: string, recorder: SegmentRecorder): Delivery {
  const swarmcast = new Swarmcast({ trackerUrl });
  swarmcast.on('segment', (e) => {
    recorder.record({ rendition: e.rendition, sn: e.sn, source: e.source, bytes: e.bytes });
  });
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
      };
    },
    destroy(): void {
      if (destroyed) return;
      destroyed = true;
      swarmcast.destroy();
    },
  };
}
