import { createFetchHttp } from '@swarmcast/browser';
import type { EnginePorts, HttpPort } from '@swarmcast/core';
import { nodeClock } from './node-clock.js';
import { nodeCryptoPort } from './node-crypto.js';
import { createNodeRtcConnector, type NodeRtcConnector } from './rtc-connector.js';
import type { NodeRtcConfig } from './rtc-config.js';
import { nodeTrackerSocket } from './ws-tracker.js';

/**
 * Segment downloads with Node 20's global fetch: the browser package's implementation (Range
 * requests, progress, abort, size bound) runs unchanged on it.
 */
export function createNodeHttp(maxBytes?: number): HttpPort {
  return maxBytes === undefined ? createFetchHttp() : createFetchHttp(maxBytes);
}

/** Every port the engine needs, from Node's APIs and node-datachannel (whose connector also lists its connections). */
export function createNodePorts(rtc: Partial<NodeRtcConfig> = {}): EnginePorts & { readonly connector: NodeRtcConnector } {
  return {
    clock: nodeClock,
    http: createNodeHttp(),
    connector: createNodeRtcConnector(rtc),
    trackerSocket: nodeTrackerSocket,
    random: { random: () => Math.random() },
    crypto: nodeCryptoPort,
  };
}
