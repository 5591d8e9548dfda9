/**
 * A player integration's config (the engine's settings and the WebRTC transport's in one object,
 * as `new Swarmcast({...})` takes them), split into the part each takes.
 */
import type { EngineConfig } from '@swarmcast/core';
import type { RtcConnectorConfig } from './rtc-connector.js';

/** What a player integration's config holds: any engine and transport settings. */
export type PlayerConfig = Partial<EngineConfig> & Partial<RtcConnectorConfig>;

/** The engine's part: everything but the transport's settings. */
export function engineSettings(config: PlayerConfig): Partial<EngineConfig> {
  const { iceServers: _i, iceTransportPolicy: _t, privacy: _p, bufferedAmountLowThresholdBytes: _b, iceDisconnectGraceMs: _g, iceRestartTimeoutMs: _r, ...engine } = config;
  return engine;
}

/** The transport's part: the settings given, none of them undefined. */
export function rtcSettings(config: PlayerConfig): Partial<RtcConnectorConfig> {
  const { iceServers, iceTransportPolicy, privacy, bufferedAmountLowThresholdBytes, iceDisconnectGraceMs, iceRestartTimeoutMs } = config;
  return {
    ...(iceServers ? { iceServers } : {}),
    ...(iceTransportPolicy ? { iceTransportPolicy } : {}),
    ...(privacy !== undefined ? { privacy } : {}),
    ...(bufferedAmountLowThresholdBytes !== undefined ? { bufferedAmountLowThresholdBytes } : {}),
    ...(iceDisconnectGraceMs !== undefined ? { iceDisconnectGraceMs } : {}),
    ...(iceRestartTimeoutMs !== undefined ? { iceRestartTimeoutMs } : {}),
  };
}
