/** Stable codes for every way the origin can fail to start or run. */
export type OriginErrorCode =
  | 'ORIGIN_INVALID_CONFIG'
  | 'ORIGIN_ASSETS_INVALID'
  | 'ORIGIN_FFMPEG_NOT_FOUND'
  | 'ORIGIN_FFMPEG_START_TIMEOUT'
  | 'ORIGIN_FFMPEG_EXITED'
  | 'ORIGIN_FORMATS_GENERATION_FAILED'
  | 'ORIGIN_FORMATS_INVALID';

/** Thrown by every function of this package that fails; never anything else. */
export class OriginError extends Error {
  override readonly name = 'OriginError';
  readonly code: OriginErrorCode;

  constructor(code: OriginErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}
