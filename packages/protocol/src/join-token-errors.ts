/**
 * Codes of the tracker's `error` message when it refuses a join for its token. The connection is
 * closed (1008) after it; the same token would be refused again, so a client must not retry with it.
 */
export const JOIN_TOKEN_ERROR_CODES = [
  /** The swarm requires a token and the join carried none. */
  'TOKEN_REQUIRED',
  /** Not a JWT, a bad signature, the wrong algorithm, a missing claim, a future iat, too long a lifetime. */
  'TOKEN_INVALID',
  /** Its exp has passed: the holder needs a new token. */
  'TOKEN_EXPIRED',
  /** Valid, but issued for another stream (its sub is another swarm id). */
  'TOKEN_WRONG_STREAM',
] as const;

export type JoinTokenErrorCode = (typeof JOIN_TOKEN_ERROR_CODES)[number];

export function isJoinTokenErrorCode(code: string): code is JoinTokenErrorCode {
  return (JOIN_TOKEN_ERROR_CODES as readonly string[]).includes(code);
}
