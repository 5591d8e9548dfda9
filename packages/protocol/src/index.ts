export { ProtocolError, type ProtocolErrorCode } from './errors.js';
export { LIMITS, ID_PATTERN, PEER_PROTOCOL_VERSION, TRACKER_PROTOCOL_VERSION } from './limits.js';
export * from './peer-messages.js';
export { encodePeerMessage, decodePeerMessage } from './peer-codec.js';
export {
  ClientMessageSchema,
  ServerMessageSchema,
  SignalDataSchema,
  parseClientMessage,
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type ServerMessage,
  type SignalData,
} from './tracker-messages.js';
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
export { renditionIdFromUrl } from './rendition-id.js';
