export { nodeClock } from './node-clock.js';
export { createNodeHttp, createNodePorts } from './node-ports.js';
export { createNodeRtcConnector } from './rtc-connector.js';
export { nodeRtcDefaults, resolveNodeRtcConfig, type NodeRtcConfig } from './rtc-config.js';
export { toNdcIceServer, toNdcIceServers, type NodeIceServer } from './ice-config.js';
export { nodeTrackerSocket } from './ws-tracker.js';
export { EdgePeer, type EdgePeerEvents, type EdgePeerStats } from './edge-peer.js';
export { edgePeerDefaults, resolveEdgePeerConfig, type EdgePeerConfig } from './edge-config.js';
export { fetchPlaylist, type FetchedPlaylist, type PlaylistLimits } from './playlist-fetch.js';
