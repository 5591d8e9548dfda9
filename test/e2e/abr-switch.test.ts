/**
 * ABR (issue #7): 3 viewers of the ts-abr ladder (live), each pinned to a different rendition, are
 * one swarm with one set of peer connections; then the viewer on the top rendition switches to the
 * lowest mid-stream, as an ABR decision would: it keeps every peer connection and gets the new
 * rendition's segments from the peer already playing it. Every peer byte is the origin's; no stall
 * but in a freeze of the whole machine.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHash } from 'node:crypto';
import type { ViewerReport } from '@swarmcast/web';
import { assertChromiumInstalled, assertViewerBuilt, closeAll, launchBrowser, openViewer, sleep } from './harness/index.js';
import type { LaunchedBrowser, Origin, ViewerHandle } from './harness/index.js';
import { formatSegmentBytes, formatSrc, startFormatsOrigin, startFormatTracker } from './harness/formats-stack.js';
import type { OriginFormats } from '@swarmcast/origin';
import { MachineFreezes } from './harness/machine-freezes.js';
import { describeStalls } from './harness/stall-report.js';

const VIEWERS = 3;
const JOIN_STEP_MS = 2000;
/** Time on the pinned renditions before the switch, and after it. */
const BEFORE_SWITCH_MS = 25_000;
const AFTER_SWITCH_MS = 25_000;
/** How often P2P segments are checked against the origin (its live window holds ~12 s). */
const CHECK_INTERVAL_MS = 3000;

let browser: LaunchedBrowser | undefined;
let origin: (Origin & { readonly formats: OriginFormats }) | undefined;

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  origin = await startFormatsOrigin();
  browser = await launchBrowser();
});

after(async () => {
  await Promise.allSettled([browser?.close(), origin?.close()]);
});

async function report(handle: ViewerHandle): Promise<ViewerReport> {
  return handle.report();
}

/** Checks each P2P segment against the origin's copy while the live window still holds it. */
class PeerSegmentChecker {
  private readonly seen = new Set<string>();
  checked = 0;
  readonly problems: string[] = [];

  constructor(private readonly bytesOf: (rendition: string, sn: number) => Promise<Uint8Array | undefined>) {}

  async check(reports: readonly ViewerReport[]): Promise<void> {
    for (const [i, r] of reports.entries()) {
      for (const s of r.segments) {
        const key = `${i}/${s.rendition}/${s.sn}`;
        if (s.source !== 'p2p' || this.seen.has(key)) continue;
        this.seen.add(key);
        const bytes = await this.bytesOf(s.rendition, s.sn);
        if (!bytes) this.problems.push(`viewer#${i} ${s.rendition}/${s.sn}: gone from the origin's window before it was checked`);
        else if (createHash('sha256').update(bytes).digest('hex') !== s.sha256) this.problems.push(`viewer#${i} ${s.rendition}/${s.sn}: differs from the origin's`);
        else this.checked += 1;
      }
    }
  }

  /** Checks every `intervalMs` for `durationMs`. */
  async watch(handles: readonly ViewerHandle[], durationMs: number, intervalMs: number): Promise<void> {
    const end = performance.now() + durationMs;
    while (performance.now() < end) {
      await sleep(Math.min(intervalMs, end - performance.now()));
      await this.check(await Promise.all(handles.map(report)));
    }
  }
}

/** The rendition most of a viewer's segments from index `from` on belong to. */
function mainRendition(r: ViewerReport, from: number): string | undefined {
  const counts = new Map<string, number>();
  for (const s of r.segments.slice(from)) counts.set(s.rendition, (counts.get(s.rendition) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

void test('ABR: viewers on different renditions share one swarm; a switch keeps the peers and brings P2P bytes', { timeout: 180_000 }, async (t) => {
  if (!browser || !origin) throw new Error('e2e setup failed (see the before hook)');
  const { formats } = origin;
  const tracker = await startFormatTracker(formats, 'ts-abr', 'live');
  const handles: ViewerHandle[] = [];
  const checker = new PeerSegmentChecker(formatSegmentBytes(formats, 'ts-abr', 'live'));
  const freezes = new MachineFreezes();
  try {
    const src = formatSrc(formats, 'ts-abr', 'live', '');
    for (let i = 0; i < VIEWERS; i++) {
      // Pinned from the first fragment: pinned after it, hls.js may have switched up on its own and
      // the pin's flush then left a viewer at the live edge without buffer (a stall of plain hls.js).
      const handle = await openViewer(browser.browser, { src, tracker: tracker.url, p2p: true, level: i, onConsole: (line) => { t.diagnostic(`viewer#${i} ${line}`); } });
      handles.push(handle);
      await sleep(JOIN_STEP_MS);
    }
    await checker.watch(handles, BEFORE_SWITCH_MS, CHECK_INTERVAL_MS);
    const before = await Promise.all(handles.map(report));
    const pinned = before.map((r) => mainRendition(r, Math.floor(r.segments.length / 2)));
    t.diagnostic(`renditions before the switch: ${pinned.join(' ')}; peers ${before.map((r) => r.peers).join(' ')}`);
    assert.equal(new Set(pinned).size, VIEWERS, 'each viewer plays its own rendition');
    before.forEach((r, i) => { assert.equal(r.peers, VIEWERS - 1, `viewer#${i} is connected to every other viewer across renditions`); });
    assert.equal(tracker.stats().swarms, 1, 'one swarm for the whole ladder');

    // The top-rendition viewer drops to the lowest rendition, which viewer#0 plays.
    const switcher = VIEWERS - 1;
    const switcherBefore = before[switcher];
    assert.ok(switcherBefore);
    await handles[switcher]?.page.evaluate(() => { window.__swarmcastSetLevel?.(0, true); });
    await checker.watch(handles, AFTER_SWITCH_MS, CHECK_INTERVAL_MS);
    const afterReports = await Promise.all(handles.map(report));
    freezes.stop();
    if (freezes.windows.length > 0) t.diagnostic(freezes.describe());
    await checker.check(afterReports);
    const switched = afterReports[switcher];
    assert.ok(switched);
    const newSegments = switched.segments.slice(switcherBefore.segments.length);
    const onLowest = newSegments.filter((s) => s.rendition === pinned[0]);
    const p2pOnLowest = onLowest.filter((s) => s.source === 'p2p');
    t.diagnostic(
      `switcher: ${newSegments.length} segments after the switch, ${onLowest.length} of the lowest rendition (${p2pOnLowest.length} from peers); ` +
        `P2P bytes ${switcherBefore.p2pBytes} -> ${switched.p2pBytes}; peers ${switcherBefore.peers} -> ${switched.peers}; disconnects ${switcherBefore.disconnects.length} -> ${switched.disconnects.length}`,
    );
    assert.ok(onLowest.length >= 3, 'the switcher plays the lowest rendition after the switch');
    assert.deepEqual(switched.disconnects, switcherBefore.disconnects, 'the switch cost no peer connection');
    assert.equal(switched.peers, VIEWERS - 1, 'still connected to every other viewer');
    assert.ok(p2pOnLowest.length > 0 && switched.p2pBytes > switcherBefore.p2pBytes, 'after the switch, segments of the new rendition came from peers');
    for (const [i, r] of afterReports.entries()) {
      // A stall that began in a freeze of the whole machine (or its drain) is the machine's.
      assert.equal(freezes.stallsOutside(r), 0, `viewer#${i}: ${describeStalls(r)}\n  ${freezes.describe()}`);
      assert.deepEqual(r.hlsFatalErrors, [], `viewer#${i} had fatal hls.js errors`);
    }

    t.diagnostic(`segments from peers checked against the origin: ${checker.checked}`);
    assert.deepEqual(checker.problems, []);
    assert.ok(checker.checked > 0, 'no segment from peers was checked');
  } finally {
    freezes.stop();
    await closeAll([...handles.map((h) => () => h.close()), () => tracker.close()]);
  }
});
