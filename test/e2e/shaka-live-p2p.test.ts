/**
 * Live with Shaka Player: the live-p2p scenario (4 viewers join over ~10 s, play 60 s after the last
 * join, real headless Chromium over WebRTC on loopback) on the Shaka viewer page. No stall, late
 * joiners fetch from peers, every peer byte is the origin's (the same signed records as hls.js).
 */
import { defineP2pSwarmTest } from './harness/p2p-swarm-test.js';

defineP2pSwarmTest({ kind: 'live', viewers: 4, joinSpreadMs: 10_000, playAfterLastJoinMs: 60_000, page: '/shaka.html', player: 'Shaka' });
