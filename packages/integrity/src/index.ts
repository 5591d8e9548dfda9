export { IntegrityAuthority, type IntegrityAuthorityStats, type RecordsListener, type ErrorListener } from './authority.js';
export { authorityConfigProblems, integrityDefaults, resolveAuthorityConfig, type IntegrityAuthorityConfig, type IntegrityAuthorityOptions } from './config.js';
export { IntegrityError, type IntegrityErrorCode } from './errors.js';
export { readPublicKeyFile, readSigningKeyFile } from './key-file.js';
export { generateSigningKey, loadSigningKey, keyIdOf, type GeneratedSigningKey, type SigningKey } from './keys.js';
export {
  parsePlaylist,
  MAX_VARIANTS,
  MAX_INIT_SEGMENTS,
  type ParsedPlaylist,
  type MasterPlaylist,
  type MediaPlaylist,
  type MediaSegmentEntry,
  type InitSegmentEntry,
} from './playlist-parser.js';
export { RecordStore, recordWindow, type RecordStoreLimits } from './record-store.js';
export { recordsMessages, type RecordsMessage } from './records-messages.js';
export { signRecord, signVodList, verifyRecord, verifyVodList } from './signer.js';
export { startSigningSidecar, type SidecarStats, type SigningSidecar } from './sidecar.js';
export { sidecarDefaults, resolveSidecarConfig, type SidecarConfig, type SigningSidecarOptions } from './sidecar-config.js';
export { swarmIdFromUrl } from './stream-ids.js';
export { parseMpd, isMpdUrl, fillTemplate, parseIsoDurationSec, MAX_MPD_SEGMENTS, type ParsedMpd, type MpdRepresentation, type MpdSegment } from './mpd-parser.js';
export {
  LIVE_RECORDS_PATH,
  LIVE_RECORDS_PER_ANSWER,
  liveRecordsAnswer,
  startRecordsServer,
  type LiveRecordsSource,
  type RecordsServer,
  type RecordsServerOptions,
  type RecordsServerStats,
} from './records-server.js';
