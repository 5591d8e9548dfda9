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
