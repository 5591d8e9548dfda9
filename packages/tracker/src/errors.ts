import type { JoinTokenErrorCode, ProtocolErrorCode } from '@swarmcast/protocol';

/** Stable codes for every way the tracker refuses input or drops a connection; keys of TrackerStats.rejects. */
export type TrackerRejectCode =
  | ProtocolErrorCode
  /** A join refused for its token (TOKEN_REQUIRED, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_WRONG_STREAM); closed with 1008. */
  | JoinTokenErrorCode
  /** A binary WebSocket frame: the tracker speaks JSON text only. */
  | 'BINARY_FRAME'
  /** The connection outran its token bucket. */
  | 'RATE_LIMITED'
  /** A join beyond maxSwarmsPerConnection. */
  | 'TOO_MANY_SWARMS'
  /** peers/signal for a swarm the sender has not joined. */
  | 'NOT_IN_SWARM'
  /** A signal to a peer not in the swarm (not fatal: it may just have left). */
  | 'SIGNAL_UNKNOWN_PEER'
  /** maxConnections or maxConnectionsPerIp reached. */
  | 'TRACKER_FULL'
  /** No valid message within heartbeatTimeoutMs. */
  | 'HEARTBEAT_TIMEOUT'
  /** A frame ws itself refused (bad opcode, invalid UTF-8, ...), other than an oversized one. */
  | 'WS_PROTOCOL_ERROR'
  /** The client stopped reading and its send buffer overflowed; the socket is dropped. */
  | 'SEND_BUFFER_FULL'
  /** A summary less than half summaryIntervalMs after the previous one from that peer; ignored. */
  | 'SUMMARY_TOO_FREQUENT'
  /** A summary whose cumulative counters went down; ignored. */
  | 'SUMMARY_REGRESSED'
  /** A summary for a new stream while maxStreamsTracked streams all have reporters; ignored. */
  | 'SUMMARY_UNTRACKED'
  /** A summary to a tracker with summaryIntervalMs 0 (it announced none); ignored. */
  | 'SUMMARY_DISABLED'
  /** A bug in the tracker while handling a message; the connection is closed with 1011. */
  | 'INTERNAL_ERROR'
  /** A connection to /authority while no authoritySecret is configured (HTTP 403). */
  | 'AUTHORITY_DISABLED'
  /** A connection to /authority without the right `Authorization: Bearer` secret (HTTP 401). */
  | 'AUTHORITY_UNAUTHORIZED'
  /** A publisher sent something other than a records message; it is closed with 1008. */
  | 'AUTHORITY_MSG_INVALID'
  /** A published record whose keyId or signature matches none of authorityPublicKeys; it is dropped. */
  | 'RECORD_BAD_SIGNATURE';

/** WebSocket close codes the tracker uses. */
export const CLOSE_CODES = {
  goingAway: 1001,
  policyViolation: 1008,
  internalError: 1011,
  tryAgainLater: 1013,
  heartbeatTimeout: 4001,
} as const;

/** Thrown by message handlers; the connection turns it into an error message (and a close if fatal). */
export class TrackerError extends Error {
  override readonly name = 'TrackerError';
  readonly code: TrackerRejectCode;
  /** Fatal errors are reported to the client, then its connection is closed with 1008. */
  readonly fatal: boolean;

  constructor(code: TrackerRejectCode, message: string, options: { fatal: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = code;
    this.fatal = options.fatal;
  }
}
