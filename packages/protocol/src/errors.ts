/** Stable codes for every way a wire message can be rejected. */
export type ProtocolErrorCode =
  | 'PEER_MSG_EMPTY'
  | 'PEER_MSG_TOO_LARGE'
  | 'PEER_MSG_UNKNOWN_TYPE'
  | 'PEER_MSG_TRUNCATED'
  | 'PEER_MSG_TRAILING_BYTES'
  | 'PEER_MSG_BAD_FIELD'
  | 'TRACKER_MSG_TOO_LARGE'
  | 'TRACKER_MSG_NOT_JSON'
  | 'TRACKER_MSG_INVALID'
  | 'VOD_LIST_TOO_LARGE'
  | 'VOD_LIST_NOT_JSON'
  | 'VOD_LIST_INVALID'
  | 'LIVE_RECORDS_TOO_LARGE'
  | 'LIVE_RECORDS_NOT_JSON'
  | 'LIVE_RECORDS_INVALID';

/** Thrown by every decoder and parser in this package; never anything else. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
