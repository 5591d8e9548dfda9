/**
 * Live: 4 viewers join over ~10 s and play 60 s after the last join, in real headless Chromium over
 * WebRTC on loopback. No stall, late joiners fetch from peers, every peer byte is the origin's.
 */
import { defineP2pSwarmTest } from './harness/p2p-swarm-test.js';

defineP2pSwarmTest({ kind: 'live', viewers: 4, joinSpreadMs: 10_000, playAfterLastJoinMs: 60_000 });
