export { Swarmcast, type SwarmcastConfig, type SwarmcastEvents, type SwarmcastStats, type SegmentEvent } from './swarmcast.js';
export { swarmIdFromUrl } from './swarm-id.js';
/** The engine's settings as Swarmcast uses them when left out (see EngineConfig). */
export { engineDefaults } from '@swarmcast/core';
