import type { EngineConfig } from '@swarmcast/core';
import type { NodeRtcConfig } from './rtc-config.js';

/** Settings of an edge peer. Every field has its unit in its name. */
export interface EdgePeerConfig {
  /** Master (or lone media) playlist URL of the live stream; its swarm id is derived as the player derives it. */
  streamUrl: string;
  /** Tracker WebSocket URL. */
  trackerUrl: string;
  /**
   * Which variants to follow: 'all', or substrings of their media playlist URLs (a variant is
   * followed when its URL contains any of them). @default 'all'
   */
  renditions: 'all' | string[];
  /** Upload capacity announced to peers and the tracker, kbit/s: peers with more sit nearer the source. @default 100000 */
  uploadKbps: number;
  /**
   * Cap on what the edge peer uploads to viewers, all together, bytes per second (0 = no cap): keeps
   * an office's LAN or uplink free for other work. Requests beyond it are answered BUSY, so viewers
   * turn to another peer or the CDN at once. @default 0
   */
  uploadCapBytesPerSec: number;
  /**
   * Group label (an office, a site) sent to the tracker: the edge peer is introduced only to viewers
   * that join with the same label. 1-64 of [A-Za-z0-9._-]. @default undefined (no group)
   */
  group: string | undefined;
  /** Segment store budget. @default 268435456 (256 MiB) */
  storeBudgetBytes: number;
  /** Most peer connections. @default 50 */
  maxPeers: number;
  /** Segments fetched behind the live edge when a rendition is first read. @default 3 */
  initialSegments: number;
  /**
   * How long after a segment shows up in the playlist it must be in hand, ms. 0 (an edge peer, the
   * swarm's first copy): every new segment comes over HTTP at once. A viewer-like delay (a player's
   * buffer, e.g. 6000) lets it come from peers first, over HTTP only if they cannot deliver in time.
   * @default 0
   */
  segmentDelayMs: number;
  /** Media playlists are re-read every targetDuration x this. @default 0.5 */
  playlistRefreshRatio: number;
  /** Largest playlist accepted, bytes. @default 1048576 */
  maxPlaylistBytes: number;
  /** A playlist request must end within this, ms. @default 5000 */
  playlistTimeoutMs: number;
  /** WebRTC settings (ICE servers, bindAddress, port range). @default {} */
  rtc: Partial<NodeRtcConfig>;
  /** Further engine settings (e.g. integrityPublicKeys, joinToken), under the edge peer's own. @default {} */
  engine: Partial<EngineConfig>;
}

export const edgePeerDefaults: Omit<EdgePeerConfig, 'streamUrl' | 'trackerUrl'> = {
  renditions: 'all',
  uploadKbps: 100_000,
  uploadCapBytesPerSec: 0,
  group: undefined,
  storeBudgetBytes: 256 * 1024 * 1024,
  maxPeers: 50,
  initialSegments: 3,
  segmentDelayMs: 0,
  playlistRefreshRatio: 0.5,
  maxPlaylistBytes: 1024 * 1024,
  playlistTimeoutMs: 5_000,
  rtc: {},
  engine: {},
};

function fail(message: string): never {
  throw new Error(`Invalid Swarmcast edge peer config: ${message}`);
}

/** Merges `config` over edgePeerDefaults and checks it (engine and rtc settings are checked by their own resolvers). */
export function resolveEdgePeerConfig(config: Partial<EdgePeerConfig> & Pick<EdgePeerConfig, 'streamUrl' | 'trackerUrl'>): EdgePeerConfig {
  const c: EdgePeerConfig = { ...edgePeerDefaults, ...config };
  if (typeof c.streamUrl !== 'string' || !/^https?:\/\/\S+$/.test(c.streamUrl)) fail(`streamUrl must be an http:// or https:// URL, got ${JSON.stringify(c.streamUrl)}`);
  if (typeof c.trackerUrl !== 'string' || !/^wss?:\/\/\S+$/.test(c.trackerUrl)) fail(`trackerUrl must be a ws:// or wss:// URL, got ${JSON.stringify(c.trackerUrl)}`);
  const selection: unknown = c.renditions;
  if (selection !== 'all' && !(Array.isArray(selection) && selection.length > 0 && selection.every((s) => typeof s === 'string' && s.length > 0))) {
    fail(`renditions must be 'all' or a non-empty list of URL substrings, got ${JSON.stringify(selection)}`);
  }
  const positive = { uploadKbps: c.uploadKbps, storeBudgetBytes: c.storeBudgetBytes, maxPeers: c.maxPeers, maxPlaylistBytes: c.maxPlaylistBytes, playlistTimeoutMs: c.playlistTimeoutMs };
  for (const [key, value] of Object.entries(positive)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(`${key} must be a number > 0, got ${JSON.stringify(value)}`);
  }
  if (!Number.isInteger(c.initialSegments) || c.initialSegments < 1) fail(`initialSegments must be an integer >= 1, got ${JSON.stringify(c.initialSegments)}`);
  if (typeof c.segmentDelayMs !== 'number' || !(c.segmentDelayMs >= 0 && c.segmentDelayMs <= 600_000)) {
    fail(`segmentDelayMs must be from 0 to 600000, got ${JSON.stringify(c.segmentDelayMs)}`);
  }
  if (typeof c.playlistRefreshRatio !== 'number' || !(c.playlistRefreshRatio >= 0.1 && c.playlistRefreshRatio <= 1)) {
    fail(`playlistRefreshRatio must be from 0.1 to 1, got ${JSON.stringify(c.playlistRefreshRatio)}`);
  }
  return c;
}
