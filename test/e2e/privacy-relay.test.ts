/**
 * Privacy mode in real headless Chromium: a coturn TURN server on loopback (REST auth, started here,
 * inside the test's network namespace), a tracker that mints each viewer's TURN credential, and two
 * viewer pages with privacy=1. Segments pass between the two (whichever fetches from the CDN serves
 * the other), every peer byte is the origin's, both ends of every connection use a relay candidate,
 * Chromium gathered nothing but relay candidates, and no host, srflx or prflx candidate (nor any
 * address in an SDP) crossed the tracker.
 * A second run forces Chromium to gather host candidates under the library, to show its own filter
 * still lets only relay candidates out.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { ViewerReport } from '@swarmcast/web';
import type { ObservedSignal } from '@swarmcast/tracker';
import { assertChromiumInstalled, launchBrowser } from './harness/browser.js';
import type { LaunchedBrowser } from './harness/browser.js';
import { closeAll } from './harness/close-all.js';
import { assertCoturnInstalled, startCoturn } from './harness/coturn.js';
import type { Coturn, CoturnAllocation, CoturnSessionUsage } from './harness/coturn.js';
import { OriginHashes } from './harness/origin-hashes.js';
import type { SegmentCheck } from './harness/origin-hashes.js';
import { candidateTypeOf, readRtcProbe, rtcProbe } from './harness/rtc-probe.js';
import type { RtcProbeOptions, RtcProbeReport } from './harness/rtc-probe.js';
import { MachineFreezes } from './harness/machine-freezes.js';
import { every, sleep } from './harness/schedule.js';
import { startStack } from './harness/stack.js';
import type { Stack } from './harness/stack.js';
import { describeStalls } from './harness/stall-report.js';
import { describeReports } from './harness/swarm-assertions.js';
import { assertViewerBuilt, openViewer } from './harness/viewer.js';
import type { ViewerHandle } from './harness/viewer.js';

/** How long coturn may take to log the end of the allocations once the pages are closed. */
const USAGE_WAIT_MS = 5_000;

let coturn: Coturn | undefined;
let stack: Stack | undefined;
let browser: LaunchedBrowser | undefined;
const signals: ObservedSignal[] = [];

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  assertCoturnInstalled();
  coturn = await startCoturn();
  stack = await startStack({ liveSource: 'loop', tracker: { turn: { urls: coturn.urls, secret: coturn.secret, ttlSec: 600 } } });
  stack.tracker.observer.on('signal', (e) => signals.push(e));
  browser = await launchBrowser();
});

after(async () => {
  await closeAll([() => browser?.close(), () => stack?.close(), () => coturn?.close()]);
});

interface PairRun {
  readonly reports: ViewerReport[];
  readonly probes: RtcProbeReport[];
  readonly check: SegmentCheck;
  /** Signals the tracker saw during this run. */
  readonly signals: ObservedSignal[];
  /** coturn allocations granted and sessions ended during this run. */
  readonly allocations: CoturnAllocation[];
  readonly sessions: CoturnSessionUsage[];
  /** Moments the whole machine stood still while the pages played. */
  readonly freezes: MachineFreezes;
}

/**
 * Two privacy-mode viewers: the second joins secondJoinMs after the first, both play playMs more;
 * then their reports and probes are read, the pages closed, and coturn's usage lines awaited.
 */
async function runPrivatePair(t: TestContext, options: { secondJoinMs: number; playMs: number; probe: RtcProbeOptions }): Promise<PairRun> {
  if (!browser || !stack || !coturn) throw new Error('e2e setup failed (see the before hook)');
  const { origin, tracker } = stack;
  const turn = coturn;
  const launched = browser.browser;
  const hashes = new OriginHashes(origin, 'live');
  const firstSignal = signals.length;
  const firstAllocation = turn.allocations().length;
  const firstSession = turn.sessions().length;
  const viewers: ViewerHandle[] = [];
  const freezes = new MachineFreezes();
  const open = async (tag: string): Promise<void> => {
    viewers.push(
      await openViewer(launched, {
        src: origin.liveMasterUrl,
        tracker: tracker.url,
        p2p: true,
        privacy: true,
        prepare: rtcProbe(options.probe),
        onConsole: (line) => { t.diagnostic(`${tag} ${line}`); },
      }),
    );
  };
  const poll = every(2_000, async () => {
    const reports = await Promise.all(viewers.map((v) => v.report()));
    await hashes.add(reports.flatMap((r) => r.segments.map((s) => s.sn)));
  }, (error) => { t.diagnostic(`poll failed: ${String(error)}`); });

  let reports: ViewerReport[];
  let probes: RtcProbeReport[];
  try {
    await open('viewer#0');
    await sleep(options.secondJoinMs);
    await open('viewer#1');
    await sleep(options.playMs);
    await poll.stop();
    reports = await Promise.all(viewers.map((v) => v.report()));
    probes = await Promise.all(viewers.map((v) => readRtcProbe(v.page)));
    await hashes.add(reports.flatMap((r) => r.segments.map((s) => s.sn)));
  } finally {
    freezes.stop();
    await poll.stop();
    // Closing the pages ends the TURN allocations: coturn then logs each one's usage.
    await closeAll(viewers.map((v) => () => v.close()));
  }
  const allocations = (): CoturnAllocation[] => turn.allocations().slice(firstAllocation);
  const deadline = Date.now() + USAGE_WAIT_MS;
  while (turn.sessions().length - firstSession < allocations().length && Date.now() < deadline) await sleep(100);
  const run: PairRun = {
    reports,
    probes,
    check: hashes.check(reports),
    signals: signals.slice(firstSignal),
    allocations: allocations(),
    sessions: turn.sessions().slice(firstSession),
    freezes,
  };
  t.diagnostic(describeReports(reports));
  t.diagnostic(`segments verified: ${run.check.verified} (${run.check.verifiedP2p} from peers), unavailable: ${run.check.unavailable.length}`);
  describeRelay(t, run);
  if (freezes.windows.length > 0) t.diagnostic(freezes.describe());
  return run;
}

/** Both viewers played (no stall but in a freeze of the whole machine), segments passed between them (either way), and every peer byte is the origin's. */
function assertSharedGoodBytes(run: PairRun): void {
  run.reports.forEach((r, i) => {
    assert.notEqual(r.startupMs, null, `viewer#${i} never started playing`);
    // A stall that began in a freeze of the whole machine (or its drain) is the machine's.
    assert.equal(run.freezes.stallsOutside(r), 0, `viewer#${i}: ${describeStalls(r)}\n  ${run.freezes.describe()}`);
    assert.deepEqual(r.hlsFatalErrors, [], `viewer#${i} had fatal hls.js errors`);
  });
  // Which of the two fetches from the CDN and serves the other is the scheduler's choice: a pair
  // locks in on whichever uploaded first, and that may be the later one. Each one's only peer is
  // the other, so what one got from peers, the other sent.
  const [first, second] = run.reports;
  if (!first || !second) throw new Error('two viewers reported');
  assert.ok(first.p2pBytes + second.p2pBytes > 0, 'neither viewer got bytes from the other');
  assert.ok(second.p2pBytes <= first.uploadedBytes, `the second viewer got ${second.p2pBytes} B from peers, the first uploaded ${first.uploadedBytes} B`);
  assert.ok(first.p2pBytes <= second.uploadedBytes, `the first viewer got ${first.p2pBytes} B from peers, the second uploaded ${second.uploadedBytes} B`);
  assert.deepEqual(run.check.mismatches, [], 'segments differ from the origin');
  assert.deepEqual(run.check.unavailable.filter((label) => label.includes('source=p2p')), [], 'segments from peers that could not be checked');
  assert.ok(run.check.verifiedP2p > 0, 'no segment from peers was verified');
}

/** Only relay candidates crossed the tracker, and no SDP carried a candidate or connection address. */
function assertTrackerSawNoAddress(run: PairRun): void {
  const candidates = run.signals.flatMap((s) => (s.data.kind === 'candidate' ? [s.data.candidate] : []));
  const descriptions = run.signals.flatMap((s) => (s.data.kind === 'description' ? [s.data.sdp] : []));
  assert.ok(candidates.length > 0, 'no candidate crossed the tracker');
  assert.ok(descriptions.length >= 2, 'no offer/answer crossed the tracker');
  assert.deepEqual(candidates.filter((c) => candidateTypeOf(c) !== 'relay'), [], 'non-relay candidates crossed the tracker');
  for (const sdp of descriptions) {
    const lines = sdp.split(/\r?\n/);
    assert.deepEqual(lines.filter((l) => l.startsWith('a=candidate:') && candidateTypeOf(l) !== 'relay'), [], 'an SDP carried a non-relay candidate');
    assert.deepEqual(lines.filter((l) => l.startsWith('c=') && !/^c=IN IP[46] (0\.0\.0\.0|::)$/.test(l)), [], 'an SDP carried a connection address');
  }
}

void test('privacy: two viewers share segments through the TURN relay only, and no address of theirs crosses the tracker', { timeout: 120_000 }, async (t) => {
  const run = await runPrivatePair(t, { secondJoinMs: 6_000, playMs: 30_000, probe: {} });
  const turn = coturn ?? assert.fail('no coturn');
  assertSharedGoodBytes(run);
  assertTrackerSawNoAddress(run);

  // Each page: its connections were relay-only, made with the tracker's TURN server and a credential
  // minted for it, and the selected pair is relay on our side and a coturn relay address on the other.
  const inRelayRange = (port: number): boolean => port >= turn.relayPorts.min && port <= turn.relayPorts.max;
  run.probes.forEach((probe, i) => {
    const live = probe.connections.filter((c) => c.connectionState === 'connected');
    assert.ok(live.length > 0, `viewer#${i} has no connected peer connection`);
    for (const c of probe.connections) {
      assert.equal(c.iceTransportPolicy, 'relay', `viewer#${i}: a connection without the relay policy`);
      assert.ok(turn.urls.every((u) => c.iceServerUrls.includes(u)), `viewer#${i}: connection not given the tracker's TURN server`);
      assert.ok(c.usernames.some((u) => /^\d+:[A-Za-z0-9_-]{16}$/.test(u)), `viewer#${i}: no minted TURN username`);
    }
    for (const c of live) {
      assert.ok(c.selected, `viewer#${i}: a connected connection has no selected pair`);
      const { local, remote } = c.selected;
      assert.equal(local.candidateType, 'relay', `viewer#${i}: local end of the selected pair is ${local.candidateType}`);
      assert.ok(inRelayRange(local.port), `viewer#${i}: local relay port ${local.port} is not one of coturn's`);
      // A remote relay candidate may be learned from a connectivity check (prflx) before its signal
      // arrives; either way its address must be one of coturn's relay ports.
      assert.ok(['relay', 'prflx'].includes(remote.candidateType), `viewer#${i}: remote end of the selected pair is ${remote.candidateType}`);
      assert.ok(inRelayRange(remote.port), `viewer#${i}: remote port ${remote.port} is not one of coturn's relay ports`);
      assert.ok(c.selected.bytesReceived + c.selected.bytesSent > 0, `viewer#${i}: no bytes on the selected pair`);
    }
    const notRelay = probe.gathered.filter((g) => candidateTypeOf(g.candidate) !== 'relay');
    assert.deepEqual(notRelay, [], `viewer#${i}: Chromium gathered non-relay candidates`);
  });

  // coturn: every allocation authenticated with a TURN REST username of one of the two viewers, and
  // the segment bytes went through its relays.
  const viewerIds = new Set(run.signals.flatMap((s) => [s.from, s.to]));
  assert.ok(run.allocations.length >= 2, `coturn granted ${run.allocations.length} allocations`);
  for (const a of run.allocations) {
    const [expiry = '', peerId = ''] = a.username.split(':');
    assert.ok(viewerIds.has(peerId), `allocation for ${a.username}: not a viewer's peer id`);
    assert.ok(Number(expiry) > Date.now() / 1000, `allocation for ${a.username}: expired credential`);
  }
  assert.equal(run.sessions.length, run.allocations.length, 'coturn logged the usage of every allocation');
  const relayedBytes = run.sessions.reduce((sum, s) => sum + s.peer.receivedBytes, 0);
  const p2pBytes = run.reports.reduce((sum, r) => sum + r.p2pBytes, 0);
  assert.ok(relayedBytes >= p2pBytes, `coturn's relays took in ${relayedBytes} B from peers, fewer than the ${p2pBytes} B of segments viewers got from peers`);
});

void test("privacy: even when the browser gathers host candidates (policy forced to 'all' under the library), only relay candidates reach the tracker", { timeout: 90_000 }, async (t) => {
  const run = await runPrivatePair(t, { secondJoinMs: 5_000, playMs: 15_000, probe: { overridePolicy: 'all' } });
  const gatheredTypes = new Set(run.probes.flatMap((p) => p.gathered.map((g) => candidateTypeOf(g.candidate))));
  assert.ok(gatheredTypes.has('host'), `Chromium gathered no host candidate (${[...gatheredTypes].join(', ')}): the filter was not put to the test`);
  assert.ok(gatheredTypes.has('relay'), 'Chromium gathered no relay candidate');
  assertTrackerSawNoAddress(run);
  assertSharedGoodBytes(run);
});

function describeRelay(t: TestContext, run: PairRun): void {
  run.probes.forEach((probe, i) => {
    for (const c of probe.connections) {
      const pair = c.selected
        ? `${c.selected.local.candidateType} ${c.selected.local.address}:${c.selected.local.port} <-> ${c.selected.remote.candidateType} ${c.selected.remote.address}:${c.selected.remote.port}, ` +
          `sent ${c.selected.bytesSent} B, received ${c.selected.bytesReceived} B`
        : 'no selected pair';
      t.diagnostic(`viewer#${i} connection (${c.connectionState}, policy ${c.iceTransportPolicy}): ${pair}`);
    }
    const types = probe.gathered.map((g) => candidateTypeOf(g.candidate) ?? '?');
    t.diagnostic(`viewer#${i} gathered ${types.length} candidates: ${[...new Set(types)].map((k) => `${k} x${types.filter((x) => x === k).length}`).join(', ') || '-'}`);
  });
  const kinds = run.signals.map((s) => (s.data.kind === 'candidate' ? `candidate/${candidateTypeOf(s.data.candidate) ?? '?'}` : s.data.kind === 'decline' ? 'decline' : s.data.sdpType));
  const counts = [...new Set(kinds)].map((k) => `${k} x${kinds.filter((x) => x === k).length}`);
  t.diagnostic(`tracker relayed ${run.signals.length} signals: ${counts.join(', ')}`);
  for (const a of run.allocations) t.diagnostic(`coturn allocation ${a.session} user ${a.username}`);
  for (const { username, client, peer } of run.sessions) {
    t.diagnostic(
      `coturn session ${username}: client side in ${client.receivedBytes} B / out ${client.sentBytes} B, ` +
        `relay side in ${peer.receivedBytes} B / out ${peer.sentBytes} B`,
    );
  }
}
