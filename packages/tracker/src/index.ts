export { resolveTrackerConfig, trackerDefaults, type TrackerConfig } from './config.js';
export { CLOSE_CODES, TrackerError, type TrackerRejectCode } from './errors.js';
export type { TrackerStats } from './stats.js';
export type { TrackerIntegrityStats } from './record-hub.js';
export { AUTHORITY_PATH } from './authority-endpoint.js';
export { startTracker, type TrackerServer } from './tracker-server.js';
