/**
 * The NAT lab's table from peer reports (harness/nat-matrix-summary.ts), without a lab: a pair's path
 * from both ends' views (direct if either end's selected pair is direct, even when the other end
 * sends through the relay), its bytes counted once, and whether each viewer played.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RtcLinkInfo } from '@swarmcast/node';
import { summarizeNatRun, type NatMember, type NatPlacement } from './harness/nat-matrix-summary.js';
import type { NatPeerReport } from './harness/nat-peer-report.js';

const link = (remotePeerId: string, local: string, remote: string, bytes: number): RtcLinkInfo => ({
  remotePeerId,
  state: 'open',
  localCandidateType: local,
  remoteCandidateType: remote,
  path: local === 'relay' || remote === 'relay' ? 'relay' : 'direct',
  sentBytes: bytes,
  receivedBytes: 0,
  openAfterMs: 100,
  closeReason: undefined,
});

const report = (peerId: string, connections: RtcLinkInfo[], late = 0): NatPeerReport => ({
  peerId,
  segments: { http: 2, p2p: 3, late, failed: 0 },
  httpBytes: 200,
  p2pBytes: 300,
  uploadedBytes: 0,
  connections,
  links: { interruptions: 0, restarts: 0 },
  integrity: { segmentsVerified: 3, integrityFailures: 0, peerViolations: 0 },
  errors: [],
});

const placed = (m: NatMember, k: number): NatMember & NatPlacement => ({ ...m, address: `10.0.${String(k)}.2`, publicAddress: `203.0.113.${String(10 + k)}` });
const MEMBERS = [
  placed({ name: 'port-restricted-1', nat: 'port-restricted', kind: 'node' }, 1),
  placed({ name: 'chromium-full-cone-1', nat: 'full-cone', kind: 'chromium' }, 2),
  placed({ name: 'chromium-symmetric-1', nat: 'symmetric', kind: 'chromium' }, 3),
];

void test('NAT summary: a pair whose ends sent on different paths is direct, a relayed pair, a pair never connected, bytes counted once, who played', () => {
  const result = summarizeNatRun(true, MEMBERS, [
    report('A', [link('B', 'srflx', 'srflx', 1000), link('C', 'relay', 'prflx', 500)]),
    // B sends to A through A's relay while A sends to B directly: the asymmetry seen under load.
    report('B', [link('A', 'srflx', 'relay', 1200)]),
    report('C', [link('A', 'prflx', 'relay', 400)], 1),
  ], 9999);
  const ab = result.pairs.find((p) => p.to === 'chromium-full-cone-1');
  assert.equal(ab?.path, 'direct');
  assert.equal(ab.expected, 'direct');
  assert.deepEqual(ab.pathsSeen, ['direct', 'relay']);
  assert.equal(ab.candidatesFrom, 'srflx/srflx');
  assert.equal(ab.candidatesTo, 'srflx/relay');
  assert.equal(ab.bytes, 1200, 'the larger of the two ends, not their sum');
  const ac = result.pairs.find((p) => p.from === 'port-restricted-1' && p.to === 'chromium-symmetric-1');
  assert.equal(ac?.path, 'relay');
  assert.equal(ac.expected, 'relay');
  assert.deepEqual([ac.kindFrom, ac.kindTo], ['node', 'chromium']);
  const bc = result.pairs.find((p) => p.from === 'chromium-full-cone-1' && p.to === 'chromium-symmetric-1');
  assert.equal(bc?.path, 'none');
  assert.equal(bc.connections, 0);
  assert.deepEqual(result.viewers.map((v) => [v.name, v.played]), [['port-restricted-1', true], ['chromium-full-cone-1', false], ['chromium-symmetric-1', false]],
    'a Chromium viewer that never started playing, and one that stalled, did not play');
  assert.equal(result.viewersPlayed, 1);
  assert.equal(result.p2pShare, 0.6);
});
