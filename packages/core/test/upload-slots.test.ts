/**
 * uploadSlots: an engine's uploads send one at a time (all peers together), the requester that
 * announced the larger uplink first. (That a waiting upload says QUEUED every uploadStarveMs is
 * tested on the Uploader alone, in uploader.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineConfig } from '../src/config.ts';
import type { ScriptedLink } from './support/scripted-peer.ts';
import { Testbed, type TestEngine } from './support/testbed.ts';

const CAP = 200_000; // bytes/s: a 100 000 B copy takes 0.5 s
const SIZE = 100_000;

/** Engine E holding segment 1, connected to scripted peers A and B (B announcing `bKbps`). */
async function twoRequesters(seed: string, config: Partial<EngineConfig>, bKbps = 0): Promise<{ bed: Testbed; e: TestEngine; a: ScriptedLink; b: ScriptedLink }> {
  const bed = new Testbed({ seed });
  const ha = bed.addScriptedPeer('A');
  const hb = bed.addScriptedPeer('B');
  hb.onOpen = (link) => link.greet({ uploadKbps: bKbps });
  await bed.clock.advance(100);
  // The second request's first chunk waits 0.5 s behind the first copy: admitted with a 750 ms
  // admission delay (BUSY under the 250 ms default: what upload-admission.test.ts covers).
  const e = bed.addEngine('E', { uploadCapBytesPerSec: CAP, uploadAdmissionDelayMs: 750, ...config });
  await bed.clock.advance(1_000);
  const ref = { rendition: 'v0', sn: 1 };
  bed.publish(ref, SIZE);
  await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 500)));
  const a = ha.linkTo(bed.idOf('E'));
  const b = hb.linkTo(bed.idOf('E'));
  assert.ok(a?.open && b?.open, 'A and B are connected to E');
  return { bed, e, a, b };
}

/** When each link got the last byte of request 1, and how many chunks it got before `beforeMs`. */
function timeline(bed: Testbed, link: ScriptedLink): { doneAtMs: () => number | undefined; chunksBefore: (ms: number) => number } {
  const arrivals: { atMs: number; end: number }[] = [];
  link.owner.onMessage = (msg, l) => {
    if (l === link && msg.type === 'data') arrivals.push({ atMs: bed.clock.now(), end: msg.offsetBytes + msg.payload.length });
  };
  return {
    doneAtMs: () => arrivals.find((x) => x.end === SIZE)?.atMs,
    chunksBefore: (ms) => arrivals.filter((x) => x.atMs < ms).length,
  };
}

/**
 * A asks E for segment 1, B 5 ms later (each waiting `withinMs` at most); after 3 s, when each got
 * its last byte (both must have).
 */
async function askAThenB(bed: Testbed, a: ScriptedLink, b: ScriptedLink, withinMs = { a: 60_000, b: 60_000 }): Promise<{ t0: number; aDone: number; bDone: number; tb: ReturnType<typeof timeline> }> {
  const ta = timeline(bed, a);
  const tb = timeline(bed, b);
  const t0 = bed.clock.now();
  a.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: withinMs.a });
  await bed.clock.advance(5);
  b.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: withinMs.b });
  await bed.clock.advance(3_000);
  const aDone = ta.doneAtMs();
  const bDone = tb.doneAtMs();
  assert.ok(aDone !== undefined && bDone !== undefined, 'both were served whole');
  return { t0, aDone, bDone, tb };
}

void describe('upload slots', () => {
  void test('one slot: the first request accepted is sent whole before the second gets a byte', async () => {
    const { bed, e, a, b } = await twoRequesters('slots-fifo', { uploadSlots: 1 });
    const { t0, aDone, bDone, tb } = await askAThenB(bed, a, b);
    // At the cap a copy takes 0.5 s (the first 25 000 B leave in a burst): A done well before B.
    assert.ok(aDone - t0 <= 700, `A done after ${aDone - t0} ms`);
    assert.ok(bDone - aDone >= 300, `B done ${bDone - aDone} ms after A`);
    assert.equal(tb.chunksBefore(aDone), 0, 'B got no chunk while A was served');
    assert.equal(e.engine.stats().uploadedBytes, 2 * SIZE);
    bed.destroyAll();
  });

  void test('the requester that announced the larger uplink goes first, though it asked second', async () => {
    const { bed, a, b } = await twoRequesters('slots-priority', { uploadSlots: 1 }, 5_000);
    const { aDone, bDone } = await askAThenB(bed, a, b);
    assert.ok(bDone < aDone, `B (5 000 kbit/s announced) done at ${bDone}, A at ${aDone}`);
    bed.destroyAll();
  });

  void test('an urgent request (waited for less than uploadCommitMs) goes before a larger uplink asked earlier', async () => {
    // A announces nothing but needs the segment within 1 s (a seek); B (5 000 kbit/s) has 60 s.
    const { bed, a, b } = await twoRequesters('slots-urgent', { uploadSlots: 1 }, 5_000);
    const { t0, aDone, bDone } = await askAThenB(bed, a, b, { a: 1_000, b: 60_000 });
    assert.ok(aDone < bDone, `A (urgent) done at ${aDone - t0} ms, B at ${bDone - t0} ms`);
    assert.ok(aDone - t0 <= 1_000, `A done within its 1 s: ${aDone - t0} ms`);
    bed.destroyAll();
  });

  void test('an urgent request jumps the queue: admitted when only the urgent bytes ahead of it fit its deadline', async () => {
    // At 200 000 B/s, B's 100 000 B (not urgent) take 0.5 s; A's urgent request due in 650 ms waits
    // only for what the channel already holds. Without slots it would share the uplink with B and end
    // after ~775 ms (B's unsent ~55 000 B and its own): refused for its deadline.
    for (const slots of [1, 0]) {
      const { bed, e, a, b } = await twoRequesters(`slots-urgent-admit-${String(slots)}`, { uploadSlots: slots }, 5_000);
      const busy: number[] = [];
      a.owner.onMessage = (msg, l) => {
        if (l === a && msg.type === 'busy') busy.push(msg.requestId);
      };
      b.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 60_000 });
      await bed.clock.advance(100);
      a.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 650 });
      await bed.clock.advance(2_000);
      if (slots === 1) assert.deepEqual(busy, [], 'urgent request admitted ahead of B');
      else {
        assert.deepEqual(busy, [1], 'without slots, refused: sharing the uplink it would end after its deadline');
        assert.equal(e.engine.stats().uploadRefusals.deadline, 1, 'counted as a deadline refusal');
      }
      bed.destroyAll();
    }
  });
});
