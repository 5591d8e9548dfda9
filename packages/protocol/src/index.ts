export { ProtocolError, type ProtocolErrorCode } from './errors.js';
export { LIMITS, GROUP_PATTERN, ICE_URL_PATTERN, ID_PATTERN, PEER_PROTOCOL_VERSION, TRACKER_PROTOCOL_VERSION, INTEGRITY_AUTHORITY_USER_AGENT } from './limits.js';
export * from './peer-messages.js';
export { encodePeerMessage, decodePeerMessage } from './peer-codec.js';
export {
  ClientMessageSchema,
  IceServerSchema,
  PeerSummarySchema,
  ServerMessageSchema,
  SignalDataSchema,
  TRACKER_SHUTDOWN_CODE,
  parseClientMessage,
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type IceServer,
  type PeerSummary,
  type ServerMessage,
  type SignalData,
  type ConnectionSignal,
} from './tracker-messages.js';
export { relayedSignalText, type ClientSignal } from './tracker-relay.js';
export { toBase64Url, fromBase64Url, toHex } from './base64url.js';
export {
  IntegrityKeySchema,
  SegmentRecordSchema,
  KEY_ID_PATTERN,
  recordSigningPayload,
  type IntegrityKey,
  type SegmentRecord,
  type RecordFields,
} from './integrity.js';
export { hash32 } from './hash32.js';
export { renditionIdFromUrl, initSegmentRenditionId, partRenditionId, isPartRenditionId, MAX_PARTS_PER_SEGMENT, INIT_SEGMENT_SN, type ResourceRange } from './rendition-id.js';
export { JOIN_TOKEN_ERROR_CODES, isJoinTokenErrorCode, type JoinTokenErrorCode } from './join-token-errors.js';
export {
  MAX_VOD_LIST_BYTES,
  MAX_VOD_LIST_SEGMENTS,
  VodListEntrySchema,
  VodListSchema,
  parseVodList,
  vodListSigningPayload,
  type VodList,
  type VodListEntry,
} from './vod-list.js';
export {
  LiveRecordsSchema,
  MAX_LIVE_RECORDS,
  MAX_LIVE_RECORDS_BYTES,
  parseLiveRecords,
  type LiveRecords,
} from './live-records.js';
