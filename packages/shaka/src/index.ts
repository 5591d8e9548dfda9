export { Swarmcast, type SwarmcastConfig, type SwarmcastEvents, type SwarmcastStats, type SegmentEvent } from './swarmcast.js';
export { SegmentMap, type SegmentIdentity } from './segment-map.js';
export { liveLatencySec } from './playback-monitor.js';
export { shaka, type ShakaPlayer } from './shaka-lib.js';
