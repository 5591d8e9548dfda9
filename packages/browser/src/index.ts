import { webCryptoPort, type EnginePorts } from '@swarmcast/core';
import { browserClock } from './browser-clock.js';
import { createFetchHttp } from './fetch-http.js';
import { createRtcConnector, type RtcConnectorConfig } from './rtc-connector.js';
import { browserTrackerSocket } from './websocket-tracker.js';

export { browserClock, createFetchHttp, createRtcConnector, browserTrackerSocket };
export { relayRefusal, resolveRtcConnectorConfig, rtcConnectorDefaults, type RtcConnectorConfig } from './rtc-connector.js';
export { candidateType, hasTurnServer, isRelayCandidate, mergeIceServers, privacySafeSdp } from './ice-servers.js';
export { engineSettings, rtcSettings, type PlayerConfig } from './player-config.js';
export { PathWatchdog, type PathRole, type PathWatchdogActions, type PathWatchdogConfig } from './path-watchdog.js';
export { isSameSession, sdpFingerprint, sdpSessionId } from './sdp-session.js';

/** Every port the engine needs, from the browser's own APIs. */
export function createBrowserPorts(rtc: Partial<RtcConnectorConfig> = {}): EnginePorts {
  return {
    clock: browserClock,
    http: createFetchHttp(),
    connector: createRtcConnector(rtc),
    trackerSocket: browserTrackerSocket,
    random: { random: () => Math.random() },
    crypto: webCryptoPort(crypto.subtle),
  };
}
