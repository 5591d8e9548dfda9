/** Swarmcast: segments from peers over WebRTC, HTTP as the fallback. */
import type Hls from 'hls.js';
import { Swarmcast } from '@swarmcast/hlsjs';
import type { Delivery, DeliveryStats } from './delivery.js';
import type { SegmentRecorder } from './segment-recorder.js';
import { SwarmLog } from './swarm-log.js';

export interface P2pDeliveryOptions {
  /** Swarmcast's privacy mode: peers only through TURN relays. @default false */
  readonly privacy?: boolean;
  /** Several tracker URLs (cluster nodes), tried in turn; trackerUrl is then the first. @default [] */
  readonly trackerUrls?: readonly string[];
  /** Group label sent to the tracker (see EngineConfig.group). @default undefined */
  readonly group?: string | undefined;
  /** An edge peer serves this viewer (see EngineConfig.expectSeeder). @default false */
  readonly expectSeeder?: boolean;
  /** Live records over HTTP while the tracker is down (see EngineConfig.integrityRecordsUrl). @default undefined */
  readonly recordsUrl?: string | undefined;
  /** See EngineConfig.maxJoinDelayMs. @default Swarmcast's */
  readonly maxJoinDelayMs?: number | undefined;
  /** See EngineConfig.uploadCapBytesPerSec. @default no cap */
  readonly uploadCapBytesPerSec?: number | undefined;
  /** See EngineConfig.uploadDelayTargetMs. @default Swarmcast's */
  readonly uploadDelayTargetMs?: number | undefined;
  /** Numeric EngineConfig settings by name (checked: parseEngineSettings), for experiments; the options above win. @default none */
  readonly engineOverrides?: Readonly<Record<string, number>>;
}

export function createP2pDelivery(trackerUrl: string, recorder: SegmentRecorder, options: P2pDeliveryOptions = {}): Delivery {
  const swarmcast = new Swarmcast({
    ...options.engineOverrides,
    trackerUrl,
    ...(options.trackerUrls !== undefined && options.trackerUrls.length > 0 ? { trackerUrls: [...options.trackerUrls] } : {}),
    ...(options.privacy === true ? { privacy: true } : {}),
    ...(options.group === undefined ? {} : { group: options.group }),
    ...(options.expectSeeder === true ? { expectSeeder: true } : {}),
    ...(options.recordsUrl === undefined ? {} : { integrityRecordsUrl: options.recordsUrl }),
    ...(options.maxJoinDelayMs === undefined ? {} : { maxJoinDelayMs: options.maxJoinDelayMs }),
    ...(options.uploadCapBytesPerSec === undefined ? {} : { uploadCapBytesPerSec: options.uploadCapBytesPerSec }),
    ...(options.uploadDelayTargetMs === undefined ? {} : { uploadDelayTargetMs: options.uploadDelayTargetMs }),
  });
  swarmcast.on('segment', (e) => {
    recorder.record({ rendition: e.rendition, sn: e.sn, source: e.source, bytes: e.bytes, loadMs: e.loadMs });
  });
  // Init segments (EXT-X-MAP) are shared too: recorded under their own id, so they are checked as well.
  swarmcast.on('init-segment', (e) => {
    recorder.record({ rendition: e.rendition, sn: e.sn, source: e.source, bytes: e.bytes, loadMs: e.loadMs });
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
    hlsConfig: swarmcast.hlsConfig(),
    attach(hls: Hls): void {
      swarmcast.attach(hls);
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
