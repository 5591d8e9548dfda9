/**
 * The viewer page's settings, read from its URL:
 * - `src`: playlist URL (default: the origin's live or VOD master playlist on this host, by `mode`);
 * - `tracker`: tracker WebSocket URL (default: `window.SWARMCAST_TRACKER_URL` when a server injected
 *   one, else ws on this host, port 8081); repeated (`tracker=A&tracker=B`), the nodes of a tracker
 *   cluster, tried in that order;
 * - `p2p`: `1` (default) uses Swarmcast, `0` plays with plain hls.js (the baseline);
 * - `mode`: `live` (default) or `vod`, which default playlist to play when `src` is absent;
 * - `privacy`: `1` connects to peers through TURN relays only (Swarmcast's `privacy: true`; the
 *   tracker must announce a TURN server, else the page plays over HTTP), `0` (default) does not;
 * - `group`: a group label (an office): the tracker introduces this viewer only to peers (edge peers
 *   included) of the same group. Absent: no group.
 * - `expectSeeder`: `1` an edge peer serves this viewer (Swarmcast's `expectSeeder: true`: the first
 *   segments wait for the tracker's answer to come from the edge), `0` (default) does not.
 * - `records`: where live segment records are fetched over HTTP while the tracker is down
 *   (Swarmcast's `integrityRecordsUrl`, e.g. `swarmcast sign --records-port`). Absent: none.
 * - `catchUp`: the fastest playback rate hls.js may use to get back to its target live latency
 *   (hls.js `maxLiveSyncPlaybackRate`, 1 to 2), for P2P and plain viewers alike. `1` (default, as
 *   hls.js) never catches up: a viewer that started late stays that much further behind the edge.
 * - `joinDelay`: the longest wait, ms, before joining the swarm for the player's first fragment
 *   (Swarmcast's `maxJoinDelayMs`); `0` joins at once. Absent: Swarmcast's default.
 * - `uploadCap`: the most this viewer uploads to peers, kbit/s (Swarmcast's `uploadCapBytesPerSec`):
 *   set a little under an uplink whose rate is known, the engine paces its uploads under it and the
 *   uplink's queue does not overflow. Absent: no cap.
 * - `uploadDelayTarget`: the queueing delay the viewer's uploads aim at, ms (Swarmcast's
 *   `uploadDelayTargetMs`); `0` turns the delay-based pace off. Absent: Swarmcast's default.
 * - `level`: plays only this rendition (hls.js level index, 0 the first in the master playlist), from
 *   the first fragment on: hls.js's ABR is off. Absent: hls.js's ABR picks.
 * - `buffer`: how far ahead hls.js buffers, seconds (its `maxBufferLength` and `maxMaxBufferLength`,
 *   1 to 600), for P2P and plain viewers alike. Absent: hls.js's defaults (30 s, and up to 600 s for a
 *   low bit rate: as much as its 60 MB `maxBufferSize` holds).
 * - `engine`: numeric engine settings, `key=value` pairs separated by commas (e.g.
 *   `engine=uploadAdmissionDelayMs=250,uploadSlots=2`), for experiments: EngineConfig's numeric
 *   fields, each once, with values the engine takes (parseEngineSettings). Absent: the defaults.
 */
import { parseEngineSettings } from '@swarmcast/core';

export type ViewerMode = 'live' | 'vod';

export interface ViewerParams {
  readonly src: string;
  /** The first tracker URL. */
  readonly trackerUrl: string;
  /** Every `tracker` param, in order (empty when there is at most one). */
  readonly trackerUrls: readonly string[];
  readonly p2p: boolean;
  readonly mode: ViewerMode;
  readonly privacy: boolean;
  /** Group label sent to the tracker, undefined for none (checked by the engine's config). */
  readonly group: string | undefined;
  /** See EngineConfig.expectSeeder. */
  readonly expectSeeder: boolean;
  /** See EngineConfig.integrityRecordsUrl (checked by the engine's config); undefined for none. */
  readonly recordsUrl: string | undefined;
  /** hls.js `maxLiveSyncPlaybackRate`, in [1, 2]. */
  readonly catchUpRate: number;
  /** See EngineConfig.maxJoinDelayMs; undefined for Swarmcast's default. */
  readonly maxJoinDelayMs: number | undefined;
  /** The `uploadCap` param in bytes/s (EngineConfig.uploadCapBytesPerSec); undefined for none. */
  readonly uploadCapBytesPerSec: number | undefined;
  /** The `uploadDelayTarget` param, ms (EngineConfig.uploadDelayTargetMs); undefined for Swarmcast's default. */
  readonly uploadDelayTargetMs: number | undefined;
  /** The `buffer` param: hls.js's forward buffer, s; undefined for hls.js's defaults. */
  readonly bufferSec: number | undefined;
  /** The `level` param: the one hls.js level played, ABR off; undefined for ABR. */
  readonly level: number | undefined;
  /** The `engine` param: numeric EngineConfig settings by name (empty: none). */
  readonly engineOverrides: Readonly<Record<string, number>>;
}

/** The tracker's default port when the page is served without a `tracker` param. */
export const DEFAULT_TRACKER_PORT = 8081;

declare global {
  interface Window {
    /** Set by a server (e.g. the CLI) that injects its tracker URL into the page. */
    SWARMCAST_TRACKER_URL?: string;
  }
}

/** Reads the params; throws a clear error on a value it does not understand. */
export function parseViewerParams(location: Location, injectedTrackerUrl?: string): ViewerParams {
  const query = new URLSearchParams(location.search);
  const mode = parseMode(query.get('mode'));
  const p2p = parseP2p(query.get('p2p'));
  const src = query.get('src') ?? `${location.origin}/${mode}/master.m3u8`;
  const wsScheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const trackerUrl =
    query.get('tracker') ?? injectedTrackerUrl ?? `${wsScheme}://${location.hostname}:${DEFAULT_TRACKER_PORT}/`;
  const listed = query.getAll('tracker');
  const privacy = parseFlag('privacy', query.get('privacy'), false);
  const group = query.get('group') ?? undefined;
  const expectSeeder = parseFlag('expectSeeder', query.get('expectSeeder'), false);
  const recordsUrl = query.get('records') ?? undefined;
  const catchUpRate = parseCatchUp(query.get('catchUp'));
  const maxJoinDelayMs = parseJoinDelay(query.get('joinDelay'));
  const uploadCapBytesPerSec = parseUploadCap(query.get('uploadCap'));
  const uploadDelayTargetMs = parseDelayTarget(query.get('uploadDelayTarget'));
  const level = parseLevel(query.get('level'));
  const bufferSec = parseBuffer(query.get('buffer'));
  const engineOverrides = parseEngineOverrides(query.get('engine'));
  return { src: new URL(src, location.href).href, trackerUrl, trackerUrls: listed.length > 1 ? listed : [], p2p, mode, privacy, group, expectSeeder, recordsUrl, catchUpRate, maxJoinDelayMs, uploadCapBytesPerSec, uploadDelayTargetMs, level, bufferSec, engineOverrides };
}

/** The `engine` param, checked as the engine checks its settings. */
export function parseEngineOverrides(value: string | null): Readonly<Record<string, number>> {
  try {
    return parseEngineSettings(value ?? '');
  } catch (error) {
    throw new Error(`Invalid param: engine: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parseMode(value: string | null): ViewerMode {
  if (value === null || value === 'live') return 'live';
  if (value === 'vod') return 'vod';
  throw new Error(`Invalid param: mode must be live or vod, got ${JSON.stringify(value)}`);
}

function parseJoinDelay(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = Number(value);
  if (!/^\d{1,6}$/.test(value) || !Number.isSafeInteger(ms)) throw new Error(`Invalid param: joinDelay must be a whole number of ms from 0 to 999999, got ${JSON.stringify(value)}`);
  return ms;
}

/** A level index; whether the playlist has that many levels is known only once hls.js parsed it. */
function parseLevel(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d{1,3}$/.test(value)) throw new Error(`Invalid param: level must be a level index from 0 to 999, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Seconds, a whole number from 1 to 600 (hls.js's maxMaxBufferLength default). */
function parseBuffer(value: string | null): number | undefined {
  if (value === null) return undefined;
  const sec = Number(value);
  if (!/^\d{1,3}$/.test(value) || sec < 1 || sec > 600) throw new Error(`Invalid param: buffer must be a whole number of seconds from 1 to 600, got ${JSON.stringify(value)}`);
  return sec;
}

/** ms, a whole number: 0 (off) or 10 and more, as the engine takes it. */
function parseDelayTarget(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = Number(value);
  if (!/^\d{1,6}$/.test(value) || (ms !== 0 && ms < 10)) throw new Error(`Invalid param: uploadDelayTarget must be 0 (off) or a whole number of ms from 10 to 999999, got ${JSON.stringify(value)}`);
  return ms;
}

/** kbit/s, a whole number (the engine checks the least it takes: two chunks a second). */
function parseUploadCap(value: string | null): number | undefined {
  if (value === null) return undefined;
  const kbps = Number(value);
  if (!/^\d{1,7}$/.test(value) || kbps === 0) throw new Error(`Invalid param: uploadCap must be a whole number of kbit/s from 1 to 9999999, got ${JSON.stringify(value)}`);
  return (kbps * 1000) / 8;
}

function parseCatchUp(value: string | null): number {
  if (value === null) return 1;
  const rate = Number(value);
  if (value.trim() === '' || !Number.isFinite(rate) || rate < 1 || rate > 2) throw new Error(`Invalid param: catchUp must be a playback rate from 1 to 2, got ${JSON.stringify(value)}`);
  return rate;
}

function parseP2p(value: string | null): boolean {
  if (value === null || value === '1') return true;
  if (value === '0') return false;
  throw new Error(`Invalid param: p2p must be 0 or 1, got ${JSON.stringify(value)}`);
}

function parseFlag(name: string, value: string | null, byDefault: boolean): boolean {
  if (value === null) return byDefault;
  if (value === '1') return true;
  if (value === '0') return false;
  throw new Error(`Invalid param: ${name} must be 0 or 1, got ${JSON.stringify(value)}`);
}
