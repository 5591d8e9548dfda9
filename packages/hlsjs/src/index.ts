export { Swarmcast, type SwarmcastConfig, type SwarmcastEvents, type SwarmcastStats, type SegmentEvent } from './swarmcast.js';
export { swarmIdFromUrl } from './swarm-id.js';
