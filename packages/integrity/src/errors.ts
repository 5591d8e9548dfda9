/** Stable codes for everything the integrity authority and its sidecar can report. */
export type IntegrityErrorCode =
  /** A config field is missing or out of range. */
  | 'INTEGRITY_INVALID_CONFIG'
  /** A signing key that is not base64url PKCS#8 Ed25519. */
  | 'INTEGRITY_INVALID_KEY'
  /** Network failure or a non-2xx answer for a playlist. */
  | 'PLAYLIST_FETCH_FAILED'
  /** A playlist larger than maxPlaylistBytes. */
  | 'PLAYLIST_TOO_LARGE'
  /** Playlist text that is not a valid master or media playlist. */
  | 'PLAYLIST_INVALID'
  /** Network failure or a non-2xx answer for a segment. */
  | 'SEGMENT_FETCH_FAILED'
  /** A segment larger than LIMITS.maxSegmentBytes, or empty. */
  | 'SEGMENT_TOO_LARGE'
  /** A playlist or segment request that outlived its timeout. */
  | 'FETCH_TIMEOUT'
  /** A VOD rendition with more segments than maxVodRecords: only the first ones are signed. */
  | 'VOD_TOO_LONG'
  /** The tracker refused the sidecar's secret (HTTP 401/403 on /authority): retrying cannot help. */
  | 'PUBLISH_UNAUTHORIZED'
  /** The sidecar's connection to the tracker failed or dropped; it reconnects. */
  | 'PUBLISH_FAILED'
  /** A failure that is none of the above: a bug. */
  | 'INTEGRITY_INTERNAL_ERROR';

/** Codes that count as fetch errors in the authority's stats. */
export const FETCH_ERROR_CODES: ReadonlySet<IntegrityErrorCode> = new Set([
  'PLAYLIST_FETCH_FAILED',
  'PLAYLIST_TOO_LARGE',
  'SEGMENT_FETCH_FAILED',
  'SEGMENT_TOO_LARGE',
  'FETCH_TIMEOUT',
]);

export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';
  readonly code: IntegrityErrorCode;
  /** The playlist or segment concerned, when there is one. */
  readonly url: string | undefined;

  constructor(code: IntegrityErrorCode, message: string, options: { url?: string; cause?: unknown } = {}) {
    super(`${code}: ${message}`, { cause: options.cause });
    this.code = code;
    this.url = options.url;
  }
}

/** error itself when it is an IntegrityError, else wrapped as INTEGRITY_INTERNAL_ERROR. */
export function asIntegrityError(error: unknown, url?: string): IntegrityError {
  if (error instanceof IntegrityError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new IntegrityError('INTEGRITY_INTERNAL_ERROR', `unexpected failure: ${message}`, { url, cause: error });
}
