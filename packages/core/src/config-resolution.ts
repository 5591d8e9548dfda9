/** resolveEngineConfig: a partial EngineConfig merged over the defaults and checked against every rule. */
import { GROUP_PATTERN, KEY_ID_PATTERN, LIMITS } from '@swarmcast/protocol';
import type { EngineConfig } from './config.js';
import { EXPECT_SEEDER_WAIT_MS, engineDefaults } from './config-defaults.js';

/** Most tracker URLs a client rotates through. */
export const MAX_TRACKER_URLS = 16;

const WS_URL = /^wss?:\/\//;

function fail(message: string): never {
  throw new Error(`Invalid Swarmcast config: ${message}`);
}

/** Why `token` cannot be a join token, or undefined if it can (undefined itself: none). */
export function joinTokenProblem(token: unknown): string | undefined {
  if (token === undefined) return undefined;
  if (typeof token === 'string' && token.length > 0 && token.length <= LIMITS.maxJoinTokenLength) return undefined;
  return `joinToken must be a string of 1-${LIMITS.maxJoinTokenLength} characters (omit it when the stream needs none)`;
}

/** Merges a partial config over the defaults and checks every rule, failing with a clear message. */
export function resolveEngineConfig(partial: Partial<EngineConfig>): EngineConfig {
  const c: EngineConfig = { ...engineDefaults, ...partial };
  if (partial.seederWaitMs === undefined && c.expectSeeder) c.seederWaitMs = EXPECT_SEEDER_WAIT_MS;
  // Wrappers pass these through as undefined when their user left them out.
  c.trackerUrl = partial.trackerUrl ?? engineDefaults.trackerUrl;
  c.trackerUrls = partial.trackerUrls ?? engineDefaults.trackerUrls;
  // Checked at run time: JavaScript callers can pass anything.
  const urls: unknown = c.trackerUrls;
  if (!Array.isArray(urls) || urls.length > MAX_TRACKER_URLS || !urls.every((u) => typeof u === 'string' && WS_URL.test(u))) {
    fail(`trackerUrls must be a list of at most ${MAX_TRACKER_URLS} ws:// or wss:// URLs, got ${JSON.stringify(urls)}`);
  }
  c.trackerUrls = [...c.trackerUrls];
  if (c.trackerUrl === '' && c.trackerUrls[0] !== undefined) c.trackerUrl = c.trackerUrls[0];
  if (!WS_URL.test(c.trackerUrl)) fail(`trackerUrl must be a ws:// or wss:// URL, got "${c.trackerUrl}"`);
  if (c.swarmId.length === 0 || c.swarmId.length > LIMITS.maxSwarmIdLength) {
    fail(`swarmId must be 1-${LIMITS.maxSwarmIdLength} characters`);
  }
  for (const [key, value] of Object.entries(c)) {
    if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) fail(`${key} must be a finite number >= 0`);
  }
  if (c.maxPeers < 1) fail('maxPeers must be at least 1');
  if (c.minPeers > c.maxPeers) fail(`minPeers (${c.minPeers}) must not exceed maxPeers (${c.maxPeers})`);
  if (c.chunkBytes < 1024 || c.chunkBytes > LIMITS.maxChunkBytes) fail(`chunkBytes must be 1024-${LIMITS.maxChunkBytes}`);
  if (c.sendHighWaterBytes < c.chunkBytes) fail('sendHighWaterBytes must be at least chunkBytes');
  // Configs come from JavaScript callers too: check the union at run time.
  if (!(['required', 'off'] as unknown[]).includes(c.integrity)) fail(`integrity must be 'required' or 'off', got ${JSON.stringify(c.integrity)}`);
  for (const key of c.integrityPublicKeys) {
    if (!KEY_ID_PATTERN.test(key.keyId) || !/^[A-Za-z0-9_-]{43}$/.test(key.publicKey)) {
      fail('integrityPublicKeys entries must be {keyId, publicKey: raw Ed25519 key in base64url} as `swarmcast keygen` prints them');
    }
  }
  if (c.integrityListUrl !== undefined && (typeof c.integrityListUrl !== 'string' || !/^https?:\/\/[^\s?#]+$/.test(c.integrityListUrl))) {
    fail(`integrityListUrl must be an http:// or https:// URL without query or fragment, got ${JSON.stringify(c.integrityListUrl)}`);
  }
  if (c.integrityRecordsUrl !== undefined && (typeof c.integrityRecordsUrl !== 'string' || !/^https?:\/\/[^\s?#]+$/.test(c.integrityRecordsUrl))) {
    fail(`integrityRecordsUrl must be an http:// or https:// URL without query or fragment, got ${JSON.stringify(c.integrityRecordsUrl)}`);
  }
  if (c.partMinP2pSlackMs < c.partHttpSafetyMs) fail(`partMinP2pSlackMs (${c.partMinP2pSlackMs}) must be at least partHttpSafetyMs (${c.partHttpSafetyMs})`);
  if (c.silentPeerVerdictMs < c.p2pStallTimeoutMs) fail(`silentPeerVerdictMs (${c.silentPeerVerdictMs}) must be at least p2pStallTimeoutMs (${c.p2pStallTimeoutMs})`);
  if (c.httpFetchersPerSegment < 1) fail('httpFetchersPerSegment must be at least 1');
  if (c.lateSplitPaceShare > 1) fail(`lateSplitPaceShare must be 0 (off) to 1, got ${c.lateSplitPaceShare}`);
  if (c.peersPerHttpFetcher < 1) fail('peersPerHttpFetcher must be at least 1');
  if (c.trackerReconnectMaxMs < c.trackerReconnectBaseMs) fail('trackerReconnectMaxMs must be >= trackerReconnectBaseMs');
  if (c.summaryIntervalMs !== 0 && c.summaryIntervalMs < 1000) fail(`summaryIntervalMs must be 0 (off) or at least 1000, got ${c.summaryIntervalMs}`);
  if (c.timerLagHalfLifeMs !== 0 && c.timerLagHalfLifeMs < 100) fail(`timerLagHalfLifeMs must be 0 (off) or at least 100, got ${c.timerLagHalfLifeMs}`);
  if (c.httpThroughputHalfLifeMs < 100) fail(`httpThroughputHalfLifeMs must be at least 100, got ${c.httpThroughputHalfLifeMs}`);
  if (c.uploadCapBytesPerSec !== 0 && c.uploadCapBytesPerSec < 2 * c.chunkBytes) {
    fail(`uploadCapBytesPerSec must be 0 (no cap) or at least 2 x chunkBytes (${2 * c.chunkBytes}), got ${c.uploadCapBytesPerSec}`);
  }
  if (c.uploadDelayTargetMs !== 0 && c.uploadDelayTargetMs < 10) fail(`uploadDelayTargetMs must be 0 (off) or at least 10, got ${c.uploadDelayTargetMs}`);
  if (c.group !== undefined && (typeof c.group !== 'string' || !GROUP_PATTERN.test(c.group))) {
    fail(`group must be 1-${LIMITS.maxGroupLength} characters of [A-Za-z0-9._-], got ${JSON.stringify(c.group)}`);
  }
  if (typeof c.seeder !== 'boolean') fail(`seeder must be true or false, got ${JSON.stringify(c.seeder)}`);
  if (typeof c.expectSeeder !== 'boolean') fail(`expectSeeder must be true or false, got ${JSON.stringify(c.expectSeeder)}`);
  const tokenProblem = joinTokenProblem(c.joinToken);
  if (tokenProblem !== undefined) fail(tokenProblem);
  return c;
}
