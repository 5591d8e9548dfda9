/**
 * NAT traversal: Node peers in network namespaces behind full-cone, port-restricted and symmetric
 * NATs (iptables), origin + tracker + coturn on the public side (harness/nat-lab.ts). With TURN:
 * every pair connects, directly where ICE can punch through and through the relay where it cannot
 * (a symmetric NAT against a port-filtering one), and the relay carries segment bytes. Without TURN:
 * those pairs get no connection, and every viewer still plays (over HTTP).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertCoturnInstalled } from './harness/coturn.js';
import { assertNatLabPossible } from './harness/nat-lab.js';
import { formatNatPairs, runNatMatrix, type NatMatrixResult } from './harness/nat-matrix.js';
import type { NatType } from './harness/nat-rules.js';

const NATS: NatType[] = ['open', 'full-cone', 'port-restricted', 'port-restricted', 'symmetric', 'symmetric'];
const PLAY_MS = 25_000;

function assertTable(result: NatMatrixResult): void {
  // A peer without a single report has no id, so every pair with it reads 'none': say why first.
  const silent = result.viewers.filter((v) => v.peerId === null);
  assert.deepEqual(silent.map((v) => v.name), [], `peers that never reported (see the log for their stderr): ${JSON.stringify(silent)}`);
  const wrong = result.pairs.filter((p) => p.path !== p.expected);
  assert.deepEqual(wrong, [], `pairs on an unexpected path:\n${formatNatPairs(wrong)}`);
  for (const p of result.pairs) {
    if (p.path !== 'none') assert.ok(p.bytes > 0, `${p.from} <-> ${p.to} connected (${p.path}) but exchanged no bytes`);
  }
  const notPlayed = result.viewers.filter((v) => !v.played);
  assert.deepEqual(notPlayed.map((v) => v.name), [], `viewers that did not play: ${JSON.stringify(notPlayed)}`);
}

void test('NAT matrix with STUN + TURN: direct where ICE punches through, relay where only TURN joins, everyone plays', { timeout: 90_000 }, async (t) => {
  assertNatLabPossible();
  assertCoturnInstalled();
  const result = await runNatMatrix({ nats: NATS, turn: true, playMs: PLAY_MS, log: (line) => { t.diagnostic(line); } });
  t.diagnostic(`\n${formatNatPairs(result.pairs)}`);
  t.diagnostic(`p2pShare=${result.p2pShare.toFixed(2)} turnRelayedBytes=${String(result.turnRelayedBytes)} restarts=${JSON.stringify(result.restarts)}`);
  assertTable(result);
  assert.ok(result.pairs.some((p) => p.path === 'relay'), 'no pair went through the relay');
  assert.ok(result.pairs.some((p) => p.path === 'direct'), 'no pair connected directly');
  // Every byte of a relayed pair leaves a relay port at least once (plus IP/UDP/DTLS/SCTP framing).
  const relayPairBytes = result.pairs.filter((p) => p.path === 'relay').reduce((sum, p) => sum + p.bytes, 0);
  assert.ok(result.turnRelayedBytes >= relayPairBytes, `coturn's relay ports carried ${String(result.turnRelayedBytes)} B, less than the ${String(relayPairBytes)} B of the relayed pairs`);
});

void test('NAT matrix with STUN only: pairs that need a relay get none, everyone plays over HTTP', { timeout: 90_000 }, async (t) => {
  const result = await runNatMatrix({ nats: NATS, turn: false, playMs: PLAY_MS, log: (line) => { t.diagnostic(line); } });
  t.diagnostic(`\n${formatNatPairs(result.pairs)}`);
  assertTable(result);
  assert.ok(result.pairs.some((p) => p.path === 'none'), 'no pair was left without a path');
  assert.equal(result.turnRelayedBytes, 0);
});
