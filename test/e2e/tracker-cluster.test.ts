/**
 * Tracker cluster in real Chromium: redis-server + 2 tracker nodes (separate processes); two viewers,
 * each starting on a different node (their own list of tracker URLs, in opposite orders), find each
 * other through Redis and share segments over WebRTC. Then the first viewer's node is killed
 * (SIGKILL): the viewer must be back on the other node within 10 s and keep playing without a stall
 * (but in a freeze of the whole machine), every segment byte-identical to the origin's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ViewerReport } from '@swarmcast/web';
import { assertChromiumInstalled, launchBrowser } from './harness/browser.js';
import type { LaunchedBrowser } from './harness/browser.js';
import { MachineFreezes } from './harness/machine-freezes.js';
import { OriginHashes } from './harness/origin-hashes.js';
import { every, sleep } from './harness/schedule.js';
import { describeStalls } from './harness/stall-report.js';
import { describeReports } from './harness/swarm-assertions.js';
import { assertRedisInstalled, startClusterStack } from './harness/tracker-cluster.js';
import type { ClusterStack } from './harness/tracker-cluster.js';
import { assertViewerBuilt, openViewer } from './harness/viewer.js';
import type { ViewerHandle } from './harness/viewer.js';

/** The acceptance bound: back on a live node this soon after its node died. */
const RECONNECT_BOUND_MS = 10_000;
/** How long both play after the kill. */
const PLAY_AFTER_KILL_MS = 25_000;
const POLL_MS = 200;

let browser: LaunchedBrowser | undefined;
let stack: ClusterStack | undefined;

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  assertRedisInstalled();
  stack = await startClusterStack(2);
  browser = await launchBrowser();
});

after(async () => {
  await Promise.allSettled([browser?.close(), stack?.close()]);
});

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

void test('cluster: viewers on two nodes share segments; a killed node\'s viewer is back on the other within 10 s, no stall', { timeout: 180_000 }, async (t) => {
  if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
  const chromium = browser.browser;
  const { origin, nodes } = stack;
  const [n1, n2] = nodes;
  if (!n1 || !n2) throw new Error('two nodes expected');
  const hashes = new OriginHashes(origin, 'live');
  const viewers: ViewerHandle[] = [];
  const log = (line: string): void => { t.diagnostic(line); };
  const open = (first: string, second: string): Promise<ViewerHandle> =>
    openViewer(chromium, { src: origin.liveMasterUrl, tracker: first, moreTrackers: [second], p2p: true, onConsole: log });
  const reports = async (): Promise<ViewerReport[]> => Promise.all(viewers.map((v) => v.report()));
  const hashPoll = every(2_000, async () => { await hashes.add((await reports()).flatMap((r) => r.segments.map((s) => s.sn))); }, (e) => { log(`hash poll: ${String(e)}`); });
  const freezes = new MachineFreezes();
  try {
    viewers.push(await open(n1.process.url, n2.process.url));
    viewers.push(await open(n2.process.url, n1.process.url));

    // Each on its own node, connected to each other (signaling crossed nodes through Redis), bytes flowing.
    await waitFor('both viewers connected to each other with P2P bytes', 60_000, async () => {
      const r = await reports();
      return r.every((x) => x.peers >= 1 && x.startupMs !== null) && r.some((x) => x.p2pBytes > 0) ? r : undefined;
    });
    const [s1, s2] = await Promise.all([n1.stats(), n2.stats()]);
    assert.equal(s1.connections, 1, 'viewer 1 is on node 1');
    assert.equal(s2.connections, 1, 'viewer 2 is on node 2');
    const crossNode = (s1.cluster?.signalsSentRemote ?? 0) + (s2.cluster?.signalsSentRemote ?? 0);
    assert.ok(crossNode > 0, 'signals crossed nodes through Redis');
    log(`before the kill: ${crossNode} signals relayed across nodes`);

    const [before1] = await reports();
    const oldId = before1?.peerId ?? null;
    assert.notEqual(oldId, null, 'viewer 1 has a tracker id');
    const p2pBefore = (await reports()).map((r) => r.p2pBytes);

    assert.equal(await n1.process.stop('SIGKILL'), null, 'node 1 killed');
    const killedAt = performance.now();
    const newId = await waitFor('viewer 1 to rejoin through node 2', RECONNECT_BOUND_MS + 5_000, async () => {
      const id = (await viewers[0]?.report())?.peerId ?? null;
      return id !== null && id !== oldId ? id : undefined;
    });
    const reconnectMs = performance.now() - killedAt;
    log(`viewer 1 rejoined as ${newId} ${Math.round(reconnectMs)} ms after node 1 was killed (at ${Math.round(killedAt)} ms)`);
    assert.ok(reconnectMs <= RECONNECT_BOUND_MS, `viewer 1 took ${Math.round(reconnectMs)} ms to rejoin (bound ${RECONNECT_BOUND_MS} ms)`);
    assert.equal((await n2.stats()).connections, 2, 'both viewers are now on node 2');

    await sleep(PLAY_AFTER_KILL_MS);
    const final = await reports();
    freezes.stop();
    if (freezes.windows.length > 0) log(freezes.describe());
    await hashes.add(final.flatMap((r) => r.segments.map((s) => s.sn)));
    const check = hashes.check(final);
    log(describeReports(final));
    final.forEach((r, i) => { log(`viewer#${i} peer disconnects: ${r.disconnects.map((d) => `${Math.round(d.atMs - performance.timeOrigin)}ms ${d.reason}`).join(' | ') || 'none'}`); });
    log(`P2P bytes after the kill: ${final.map((r, i) => r.p2pBytes - (p2pBefore[i] ?? 0)).join(', ')}; segments verified ${check.verified} (${check.verifiedP2p} from peers)`);

    final.forEach((r, i) => {
      assert.notEqual(r.startupMs, null, `viewer#${i} never started`);
      assert.ok(r.playing, `viewer#${i} is playing at the end`);
      // A stall that began in a freeze of the whole machine (or its drain) is the machine's.
      assert.equal(freezes.stallsOutside(r), 0, `viewer#${i}: ${describeStalls(r)}\n  ${freezes.describe()}`);
      assert.deepEqual(r.hlsFatalErrors, [], `viewer#${i} had fatal hls.js errors`);
    });
    assert.ok(final.reduce((sum, r) => sum + r.p2pBytes, 0) > 0, 'segments went over WebRTC');
    // The rejoined viewer has a new tracker id; its neighbour finds it again and the pair keeps sharing.
    assert.ok(final.reduce((sum, r, i) => sum + r.p2pBytes - (p2pBefore[i] ?? 0), 0) > 0, 'no P2P bytes after the fail-over');
    final.forEach((r, i) => { assert.ok(r.peers >= 1, `viewer#${i} has no peer at the end`); });
    assert.deepEqual(check.mismatches, [], 'segments differ from the origin');
    assert.deepEqual(check.unavailable.filter((l) => l.includes('source=p2p')), [], 'P2P segments that could not be checked');
    assert.ok(check.verifiedP2p > 0, 'no P2P segment verified against the origin');
  } finally {
    freezes.stop();
    await hashPoll.stop();
    await Promise.allSettled(viewers.map((v) => v.close()));
  }
});
