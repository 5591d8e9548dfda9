import { LIMITS } from '@swarmcast/protocol';
import { IntegrityError } from './errors.js';
import { loadSigningKey } from './keys.js';
import { swarmIdFromUrl } from './stream-ids.js';

export interface IntegrityAuthorityConfig {
  /** The stream's Ed25519 private key, PKCS#8 DER in base64url (as `swarmcast keygen` writes). Required. */
  signingKeyPkcs8: string;
  /** Master (or media) playlist URLs to watch, http(s); each one is a swarm. Required, 1 to 64. */
  streams: string[];
  /**
   * Timeout of one playlist request, body included.
   * @default 10_000 // 10 s
   */
  playlistTimeoutMs: number;
  /**
   * Timeout of one segment request, body included.
   * @default 30_000 // 30 s
   */
  segmentTimeoutMs: number;
  /**
   * Largest playlist read; beyond it the playlist is refused (PLAYLIST_TOO_LARGE).
   * @default 1024 * 1024 // 1 MiB
   */
  maxPlaylistBytes: number;
  /**
   * Records kept per live rendition; also the most recent segments of a live window that get signed.
   * @default 256
   */
  liveHistoryRecords: number;
  /**
   * Records kept per VOD rendition; segments beyond it are not signed (VOD_TOO_LONG).
   * @default 20_000
   */
  maxVodRecords: number;
  /**
   * Floor of the live poll interval (targetDuration / 2), against playlists that claim a tiny target duration.
   * @default 500
   */
  minPollIntervalMs: number;
  /**
   * First delay after a failed playlist or segment; doubles per failure in a row.
   * @default 1_000 // 1 s
   */
  retryMinMs: number;
  /**
   * Longest delay between retries.
   * @default 30_000 // 30 s
   */
  retryMaxMs: number;
  /**
   * Tries per segment before it is given up (left unsigned).
   * @default 3
   */
  segmentAttempts: number;
  /**
   * Most recent records per swarm kept for recent(), what a joining peer is sent.
   * @default 256
   */
  recentPerSwarm: number;
}

/** What callers pass: the key and streams, any other field to override its default. */
export type IntegrityAuthorityOptions = Pick<IntegrityAuthorityConfig, 'signingKeyPkcs8' | 'streams'> & Partial<IntegrityAuthorityConfig>;

/** The one source of authority defaults; signingKeyPkcs8 and streams have none and must be given. */
export const integrityDefaults: Readonly<IntegrityAuthorityConfig> = Object.freeze({
  signingKeyPkcs8: '',
  streams: [],
  playlistTimeoutMs: 10_000,
  segmentTimeoutMs: 30_000,
  maxPlaylistBytes: 1024 * 1024, // 1 MiB
  liveHistoryRecords: 256,
  maxVodRecords: 20_000,
  minPollIntervalMs: 500,
  retryMinMs: 1_000,
  retryMaxMs: 30_000,
  segmentAttempts: 3,
  recentPerSwarm: 256,
});

const MAX_STREAMS = 64;

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function checkInteger(problems: string[], config: IntegrityAuthorityConfig, name: keyof IntegrityAuthorityConfig, min: number, max: number): void {
  const value: unknown = config[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
}

function checkStreams(problems: string[], streams: unknown): void {
  if (!Array.isArray(streams) || streams.length === 0 || streams.length > MAX_STREAMS) {
    problems.push(`streams must be an array of 1 to ${MAX_STREAMS} playlist URLs`);
    return;
  }
  const swarms = new Set<string>();
  for (const [i, url] of (streams as unknown[]).entries()) {
    let parsed: URL | undefined;
    try {
      parsed = typeof url === 'string' ? new URL(url) : undefined;
    } catch {
      parsed = undefined;
    }
    if (typeof url !== 'string' || (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:')) {
      problems.push(`streams[${i}] must be an absolute http(s) URL, got ${show(url)}`);
      continue;
    }
    const swarm = swarmIdFromUrl(url);
    if (swarm.length > LIMITS.maxSwarmIdLength) problems.push(`streams[${i}] is longer than ${LIMITS.maxSwarmIdLength} characters`);
    if (swarms.has(swarm)) problems.push(`streams[${i}] is the same swarm as an earlier stream: ${show(swarm)}`);
    swarms.add(swarm);
  }
}

function merge(options: unknown, problems: string[]): IntegrityAuthorityConfig {
  const config: IntegrityAuthorityConfig = { ...integrityDefaults };
  if (typeof options !== 'object' || options === null) {
    problems.push('options must be an object');
    return config;
  }
  const entries: [string, unknown][] = Object.entries(options);
  for (const [key, value] of entries) {
    if (!Object.hasOwn(integrityDefaults, key)) problems.push(`unknown option '${key}'`);
    else if (value !== undefined) Object.assign(config, { [key]: value });
  }
  return config;
}

function check(config: IntegrityAuthorityConfig, problems: string[]): void {
  const key: unknown = config.signingKeyPkcs8;
  if (typeof key !== 'string' || key === '') problems.push('signingKeyPkcs8 must be a base64url PKCS#8 Ed25519 key');
  else {
    try {
      loadSigningKey(key);
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      problems.push(`signingKeyPkcs8: ${error.message.replace(/^[A-Z_]+: /, '')}`);
    }
  }
  checkStreams(problems, config.streams);
  checkInteger(problems, config, 'playlistTimeoutMs', 1, 600_000);
  checkInteger(problems, config, 'segmentTimeoutMs', 1, 600_000);
  checkInteger(problems, config, 'maxPlaylistBytes', 1, 64 * 1024 * 1024);
  checkInteger(problems, config, 'liveHistoryRecords', 1, 100_000);
  checkInteger(problems, config, 'maxVodRecords', 1, 1_000_000);
  checkInteger(problems, config, 'minPollIntervalMs', 1, 600_000);
  checkInteger(problems, config, 'retryMinMs', 1, 3_600_000);
  checkInteger(problems, config, 'retryMaxMs', 1, 3_600_000);
  checkInteger(problems, config, 'segmentAttempts', 1, 100);
  checkInteger(problems, config, 'recentPerSwarm', 1, 100_000);
  if (config.retryMaxMs < config.retryMinMs) problems.push(`retryMaxMs (${config.retryMaxMs}) must be at least retryMinMs (${config.retryMinMs})`);
}

/** Every problem of options (key included), for callers that report them inside their own config, such as the tracker. */
export function authorityConfigProblems(options: unknown): string[] {
  const problems: string[] = [];
  check(merge(options, problems), problems);
  return problems;
}

/**
 * Merges options over integrityDefaults (undefined keeps the default) and checks every field, the
 * key included. Throws IntegrityError INTEGRITY_INVALID_CONFIG listing every problem.
 */
export function resolveAuthorityConfig(options: IntegrityAuthorityOptions): IntegrityAuthorityConfig {
  const problems: string[] = [];
  const config = merge(options, problems);
  check(config, problems);
  if (problems.length > 0) throw new IntegrityError('INTEGRITY_INVALID_CONFIG', `Invalid integrity config: ${problems.join('; ')}`);
  return { ...config, streams: [...config.streams] };
}
