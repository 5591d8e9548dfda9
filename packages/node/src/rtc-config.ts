import { toNdcIceServer, type NodeIceServer } from './ice-config.js';

/** Settings of the Node WebRTC connector. */
export interface NodeRtcConfig {
  /** STUN/TURN servers, before the tracker's (configured ones win for a URL in both). @default [] */
  iceServers: NodeIceServer[];
  /** 'relay' sends everything through TURN. @default 'all' */
  iceTransportPolicy: 'all' | 'relay';
  /**
   * Local address host candidates are gathered on (e.g. '127.0.0.1' for loopback tests, or the
   * office LAN address of an edge peer). @default undefined (every interface)
   */
  bindAddress: string | undefined;
  /** UDP ports host candidates use, inclusive (for firewall rules). @default undefined (any) */
  portRange: { beginPort: number; endPort: number } | undefined;
  /**
   * DataChannel bufferedAmount at which the core is told to send more, until the core sets its own
   * (half its high-water mark, each time it stops on back-pressure). @default 4096
   */
  bufferedAmountLowThresholdBytes: number;
  /**
   * How long an open connection whose path went 'disconnected' is given to come back by itself
   * before it is closed (and the engine replaces it). node-datachannel cannot restart ICE
   * (libdatachannel has no ICE restart), so there is no restart step here. The peer gets no new
   * requests from the first moment; 'failed' closes at once. @default 2000
   */
  iceDisconnectGraceMs: number;
}

export const nodeRtcDefaults: NodeRtcConfig = {
  iceServers: [],
  iceTransportPolicy: 'all',
  bindAddress: undefined,
  portRange: undefined,
  bufferedAmountLowThresholdBytes: 4 * 1024,
  iceDisconnectGraceMs: 2_000,
};

/** Longest iceDisconnectGraceMs: beyond a minute a dead link is better replaced. */
const MAX_GRACE_MS = 60_000;

function fail(message: string): never {
  throw new Error(`Invalid Swarmcast node config: ${message}`);
}

const isPort = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

/** Merges `config` over nodeRtcDefaults and checks it; throws Error('Invalid Swarmcast node config: ...'). */
export function resolveNodeRtcConfig(config: Partial<NodeRtcConfig> = {}): NodeRtcConfig {
  const c: NodeRtcConfig = { ...nodeRtcDefaults, ...config };
  // Configs come from JavaScript callers and the CLI too: check the union at run time.
  if (!(['all', 'relay'] as unknown[]).includes(c.iceTransportPolicy)) fail(`iceTransportPolicy must be 'all' or 'relay', got ${JSON.stringify(c.iceTransportPolicy)}`);
  for (const server of c.iceServers) {
    for (const url of server.urls) {
      const converted = toNdcIceServer(url, server.username, server.credential);
      if (converted instanceof Error) fail(converted.message);
    }
  }
  if (c.bindAddress !== undefined && (typeof c.bindAddress !== 'string' || !/^[0-9a-fA-F:.]{2,45}$/.test(c.bindAddress))) {
    fail(`bindAddress must be an IP address, got ${JSON.stringify(c.bindAddress)}`);
  }
  if (c.portRange !== undefined && (!isPort(c.portRange.beginPort) || !isPort(c.portRange.endPort) || c.portRange.beginPort > c.portRange.endPort)) {
    fail(`portRange must be {beginPort, endPort} with 1 <= beginPort <= endPort <= 65535, got ${JSON.stringify(c.portRange)}`);
  }
  if (!Number.isInteger(c.bufferedAmountLowThresholdBytes) || c.bufferedAmountLowThresholdBytes < 0) fail('bufferedAmountLowThresholdBytes must be an integer >= 0');
  if (!Number.isInteger(c.iceDisconnectGraceMs) || c.iceDisconnectGraceMs < 0 || c.iceDisconnectGraceMs > MAX_GRACE_MS) {
    fail(`iceDisconnectGraceMs must be an integer number of ms from 0 to ${MAX_GRACE_MS}, got ${JSON.stringify(c.iceDisconnectGraceMs)}`);
  }
  return c;
}
