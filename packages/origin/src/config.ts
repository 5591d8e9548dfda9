import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OriginError } from './errors.js';

/** Where the live stream comes from. */
export type LiveSourceKind = 'loop' | 'ffmpeg';

/** Settings of the HLS origin. */
export interface OriginConfig {
  /** Interface to listen on. @default '127.0.0.1' */
  host: string;
  /** TCP port; 0 picks a free one. @default 8080 */
  port: number;
  /**
   * Live source: 'loop' republishes the bundled 20 s loop as a real-time sliding window
   * (deterministic bytes); 'ffmpeg' encodes a fresh test stream; 'auto' is 'ffmpeg' when ffmpeg is
   * on PATH, else 'loop'. @default 'auto'
   */
  liveSource: 'auto' | LiveSourceKind;
  /** Segments listed in the live media playlist (also ffmpeg's -hls_list_size). @default 6 */
  liveWindowSegments: number;
  /** The VOD asset is the loop repeated this many times, with a discontinuity between loops. @default 4 */
  vodLoops: number;
  /** Directory of extra static files served at / (the demo page). @default undefined (none) */
  staticDir?: string;
  /**
   * Serve the formats catalog at /formats/ (ts-abr, fmp4, byterange, aes128, discontinuity, tokens;
   * each live and VOD). Needs ffmpeg on PATH: generated once into formatsCacheDir. @default false
   */
  formats: boolean;
  /** Where the generated formats catalog is kept between runs. @default OS temp dir + '/swarmcast-formats' */
  formatsCacheDir: string;
}

export const originDefaults: OriginConfig = {
  host: '127.0.0.1',
  port: 8080,
  liveSource: 'auto',
  liveWindowSegments: 6,
  vodLoops: 4, // 4 x 20 s loop = 80 s
  staticDir: undefined,
  formats: false,
  formatsCacheDir: join(tmpdir(), 'swarmcast-formats'),
};

/** Bounds that keep playlists sane: hls.js wants >= 3 target durations in a live window. */
const LIMITS = { minLiveWindowSegments: 3, maxLiveWindowSegments: 1000, maxVodLoops: 10_000 } as const;

function fail(message: string): never {
  throw new OriginError('ORIGIN_INVALID_CONFIG', `Invalid config: ${message}`);
}

function checkInteger(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

/** Merges a partial config over the defaults (undefined fields keep the default) and checks every field. */
export function resolveOriginConfig(partial: Partial<OriginConfig> = {}): OriginConfig {
  const defined = Object.fromEntries(Object.entries(partial as Record<string, unknown>).filter(([, v]) => v !== undefined)) as Partial<OriginConfig>;
  const c: OriginConfig = { ...originDefaults, ...defined };
  // Checked as unknown: plain-JS callers and CLI flags may pass anything.
  const raw: Record<string, unknown> = { ...c };
  if (typeof raw.host !== 'string' || raw.host.length === 0) fail('host must be a non-empty string');
  checkInteger('port', raw.port, 0, 65_535);
  if (raw.liveSource !== 'auto' && raw.liveSource !== 'loop' && raw.liveSource !== 'ffmpeg') {
    fail(`liveSource must be 'auto', 'loop' or 'ffmpeg', got ${JSON.stringify(raw.liveSource)}`);
  }
  checkInteger('liveWindowSegments', raw.liveWindowSegments, LIMITS.minLiveWindowSegments, LIMITS.maxLiveWindowSegments);
  checkInteger('vodLoops', raw.vodLoops, 1, LIMITS.maxVodLoops);
  if (raw.staticDir !== undefined && (typeof raw.staticDir !== 'string' || raw.staticDir.length === 0)) {
    fail('staticDir must be a non-empty path when set');
  }
  if (typeof raw.formats !== 'boolean') fail(`formats must be a boolean, got ${JSON.stringify(raw.formats)}`);
  if (typeof raw.formatsCacheDir !== 'string' || raw.formatsCacheDir.length === 0) fail('formatsCacheDir must be a non-empty path');
  return c;
}
