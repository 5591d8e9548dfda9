/**
 * NAT traversal with real browsers: headless Chromium viewers, each started inside its own network
 * namespace behind a symmetric, a port-restricted and a full-cone NAT (iptables), with a Node peer
 * behind another port-restricted NAT; origin, tracker and coturn on the public side
 * (harness/nat-lab.ts, nat-chromium.ts). Every pair takes the path RFC 4787 allows: direct through
 * the full-cone and between the port-restricted ones (hole punching), through TURN between the
 * symmetric one and the port-restricted ones (Chromium <-> Chromium and Chromium <-> Node), and the
 * relay carries segment bytes. Every viewer plays with no stall, and every byte from a peer passed
 * the engine's integrity check.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertChromiumInstalled } from './harness/browser.js';
import { assertCoturnInstalled } from './harness/coturn.js';
import { assertNatLabPossible, PUBLIC_SERVER_ADDRESS } from './harness/nat-lab.js';
import { formatNatPairs, runNatMatrix } from './harness/nat-matrix.js';
import { assertViewerBuilt } from './harness/viewer.js';

const PLAY_MS = 25_000;

void test('NAT lab with Chromium viewers: direct where ICE punches through, TURN relay where it cannot, every viewer plays verified bytes', { timeout: 110_000 }, async (t) => {
  assertNatLabPossible();
  assertCoturnInstalled();
  assertChromiumInstalled();
  assertViewerBuilt();
  const result = await runNatMatrix({
    nats: ['port-restricted'],
    chromiumNats: ['symmetric', 'port-restricted', 'full-cone'],
    turn: true,
    playMs: PLAY_MS,
    log: (line) => { t.diagnostic(line); },
  });
  t.diagnostic(`\n${formatNatPairs(result.pairs)}`);
  t.diagnostic(`p2pShare=${result.p2pShare.toFixed(2)} turnRelayedBytes=${String(result.turnRelayedBytes)}`);
  for (const v of result.viewers) t.diagnostic(`${v.name}: http ${String(v.segmentsHttp)} p2p ${String(v.segmentsP2p)} verified ${String(v.segmentsVerified)} stalls ${String(v.stalls)} path interruptions ${String(v.linkInterruptions)} (ICE restarts ${String(v.linkRestarts)}) candidates ${JSON.stringify(v.candidateAddresses ?? {})}`);

  const wrong = result.pairs.filter((p) => p.path !== p.expected);
  assert.deepEqual(wrong, [], `pairs on an unexpected path:\n${formatNatPairs(wrong)}\nviewers: ${JSON.stringify(result.viewers)}`);
  const kinds = new Set(result.pairs.filter((p) => p.path === 'relay').map((p) => [p.kindFrom, p.kindTo].sort().join('-')));
  assert.deepEqual([...kinds].sort(), ['chromium-chromium', 'chromium-node'], 'relayed pairs: both Chromium <-> Chromium and Chromium <-> Node');
  for (const p of result.pairs) assert.ok(p.bytes > 0, `${p.from} <-> ${p.to} connected (${p.path}) but exchanged no bytes`);
  // A relayed pair is relayed at both ends: neither end's selected pair (Chromium's getStats through
  // the page probe, the Node peer's link stats) is direct where no direct path exists.
  for (const p of result.pairs.filter((x) => x.expected === 'relay')) assert.deepEqual(p.pathsSeen, ['relay'], `${p.from} <-> ${p.to}: paths seen`);
  for (const p of result.pairs.filter((x) => x.path === 'relay')) {
    const selected = [p.candidatesFrom, p.candidatesTo];
    assert.ok(selected.some((c) => c?.split('/').includes('relay') === true), `${p.from} <-> ${p.to}: relayed, but no relay candidate in the selected pairs: ${JSON.stringify(selected)}`);
  }
  const asymmetric = result.pairs.filter((p) => p.pathsSeen.length > 1);
  if (asymmetric.length > 0) t.diagnostic(`pairs whose ends sent on different paths: ${asymmetric.map((p) => `${p.from} <-> ${p.to}`).join(', ')}`);
  // Every byte of a relayed pair leaves a relay port at least once (plus IP/UDP/DTLS/SCTP framing).
  const relayPairBytes = result.pairs.filter((p) => p.path === 'relay').reduce((sum, p) => sum + p.bytes, 0);
  assert.ok(result.turnRelayedBytes >= relayPairBytes, `coturn's relay ports carried ${String(result.turnRelayedBytes)} B, less than the ${String(relayPairBytes)} B of the relayed pairs`);

  const notPlayed = result.viewers.filter((v) => !v.played);
  assert.deepEqual(notPlayed.map((v) => v.name), [], `viewers that did not play (or stalled): ${JSON.stringify(notPlayed)}`);
  for (const v of result.viewers) {
    assert.equal(v.integrityFailures + v.peerViolations, 0, `${v.name} cut off peers for bad bytes: ${JSON.stringify(v)}`);
    if (v.kind !== 'chromium') continue;
    // Chromium gathered on its private interface (an address, not an mDNS name) and through its NAT (STUN).
    const gathered = v.candidateAddresses ?? {};
    assert.ok(gathered.host?.includes(v.address), `${v.name}: no host candidate on ${v.address}: ${JSON.stringify(gathered)}`);
    assert.ok(!(gathered.host ?? []).some((a) => a.endsWith('.local')), `${v.name}: mDNS host candidates: ${JSON.stringify(gathered)}`);
    assert.ok(gathered.srflx?.includes(v.publicAddress), `${v.name}: no srflx candidate on its NAT's ${v.publicAddress}: ${JSON.stringify(gathered)}`);
    assert.ok((gathered.srflx ?? []).every((a) => a === v.publicAddress) && (gathered.relay ?? []).every((a) => a === PUBLIC_SERVER_ADDRESS), `${v.name}: candidates: ${JSON.stringify(gathered)}`);
    // Chromium gathers once: a connection that is writable before its TURN allocation completes drops
    // the relay candidate (docs/benchmarks.md). A relayed pair needs a relay candidate at one end
    // only (the other sends to it from its srflx), so only a viewer whose own selected local
    // candidate is a relay must have gathered one.
    const ownRelay = result.pairs.some((p) => (p.from === v.name && p.candidatesFrom?.startsWith('relay/') === true) || (p.to === v.name && p.candidatesTo?.startsWith('relay/') === true));
    if (ownRelay) assert.ok(gathered.relay?.includes(PUBLIC_SERVER_ADDRESS), `${v.name}: sent from a relay, but no relay candidate on coturn's ${PUBLIC_SERVER_ADDRESS}: ${JSON.stringify(gathered)}`);
    assert.ok(v.segmentsP2p > 0, `${v.name} got no segment from peers: ${JSON.stringify(v)}`);
    assert.ok(v.segmentsVerified >= v.segmentsP2p, `${v.name} played ${String(v.segmentsP2p)} segments from peers but verified ${String(v.segmentsVerified)}`);
  }
});
