/**
 * The baseline: plain hls.js over HTTP. Bytes are counted from FRAG_LOADED stats; segments are
 * recorded through a thin wrapper of hls.js's default fragment loader.
 */
import Hls from 'hls.js';
import type { FragLoadedData } from 'hls.js';
import { NO_INTEGRITY, NO_LINKS } from './delivery.js';
import type { Delivery, DeliveryStats } from './delivery.js';
import { createRecordingFragmentLoader } from './recording-loader.js';
import type { SegmentRecorder } from './segment-recorder.js';

export function createHttpDelivery(recorder: SegmentRecorder): Delivery {
  let httpBytes = 0;
  let hls: Hls | null = null;
  const onFragLoaded = (_event: string, data: FragLoadedData): void => {
    httpBytes += (data.part ?? data.frag).stats.loaded;
  };
  const fLoader = createRecordingFragmentLoader((context, bytes, loadMs) => {
    const { frag } = context;
    if (typeof frag.sn !== 'number') return;
    recorder.record({ rendition: String(frag.level), sn: frag.sn, source: 'http', bytes, loadMs });
  });
  return {
    hlsConfig: { fLoader },
    attach(player: Hls): void {
      hls = player;
      player.on(Hls.Events.FRAG_LOADED, onFragLoaded);
    },
    stats(): DeliveryStats {
      return { httpBytes, p2pBytes: 0, uploadedBytes: 0, controlBytes: 0, peers: 0, peerId: null, disconnects: [], trackerEvents: [], pathEvents: [], links: NO_LINKS, integrity: NO_INTEGRITY, httpFetchReasons: null, seeder: null, uploadRefusals: null, peerAttempts: null, lateSplits: null, wants: null, controlBytesByType: null, silencesExcused: null, uplinkBytesPerSec: null, uploadPaceBytesPerSec: null, timerLagMs: null, joinDelayMs: null };
    },
    destroy(): void {
      hls?.off(Hls.Events.FRAG_LOADED, onFragLoaded);
      hls = null;
    },
  };
}
