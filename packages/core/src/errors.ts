/** Stable codes of the errors the engine reports. */
export type EngineErrorCode =
  | 'ENGINE_DESTROYED'
  | 'LOAD_ABORTED'
  | 'HTTP_FAILED'
  | 'PEER_PROTOCOL_VIOLATION'
  | 'PEER_VERSION_MISMATCH'
  | 'TRACKER_ERROR'
  | 'TRACKER_PROTOCOL_VIOLATION';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}
