import type { JoinTokenErrorCode } from '@swarmcast/protocol';

/** Stable codes of the errors the engine reports. */
export type EngineErrorCode =
  /** The tracker refused the join token (the tracker's own code); P2P stops, HTTP goes on. */
  | JoinTokenErrorCode
  | 'ENGINE_DESTROYED'
  /** The connector cannot connect with what it knows (privacy mode without a TURN server): HTTP only. */
  | 'P2P_REFUSED'
  | 'LOAD_ABORTED'
  /** Internal: a prefetch got no bytes from peers and the player never asked for the segment. */
  | 'PREFETCH_MISSED'
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

/** Throws LOAD_ABORTED once a segment load's signal is aborted. */
export function throwIfLoadAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new EngineError('LOAD_ABORTED', 'segment load aborted');
}
