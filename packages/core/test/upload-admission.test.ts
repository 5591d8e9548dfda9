/**
 * Upload admission against the requesters' deadlines (protocol 3): an uploader takes as many
 * requests as its uplink, serving them in turn, finishes before each requester stops waiting;
 * refuses one that would make a request it accepted before late; says QUEUED to those waiting
 * their turn; and a requester whose every holder said BUSY asks again while time is left.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineConfig } from '../src/config.ts';
import { engineAndScripted, engineWithScriptedPeers } from './support/holder-pair.ts';
import type { ScriptedLink } from './support/scripted-peer.ts';
import { Testbed, sameBytes, type TestEngine } from './support/testbed.ts';

const CAP = 200_000; // bytes/s: a 100 000 B copy takes 0.5 s
const SIZE = 100_000;

/** Engine E holding segments 1..n, its uplink capped at CAP, connected to scripted peers (announcing `uploadKbps`). */
async function holder(seed: string, n: number, peers: readonly { name: string; uploadKbps?: number }[], config: Partial<EngineConfig> = {}): Promise<{ bed: Testbed; e: TestEngine; links: ScriptedLink[] }> {
  const { bed, e, links } = await engineWithScriptedPeers(seed, peers, { uploadCapBytesPerSec: CAP, ...config });
  for (let sn = 1; sn <= n; sn++) {
    const ref = { rendition: 'v0', sn };
    bed.publish(ref, SIZE);
    await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 500)));
  }
  return { bed, e, links };
}

/** Bytes of request `requestId` that reached `link`, and when its last byte came. */
function received(bed: Testbed, link: ScriptedLink): (requestId: number) => { bytes: number; doneAtMs: number | undefined } {
  const log: { requestId: number; atMs: number; end: number; length: number }[] = [];
  link.owner.onMessage = (msg, l) => {
    if (l === link && msg.type === 'data') log.push({ requestId: msg.requestId, atMs: bed.clock.now(), end: msg.offsetBytes + msg.payload.length, length: msg.payload.length });
  };
  return (requestId) => {
    const mine = log.filter((x) => x.requestId === requestId);
    return { bytes: mine.reduce((n, x) => n + x.length, 0), doneAtMs: mine.find((x) => x.end === SIZE)?.atMs };
  };
}

void describe('upload admission by deadline', () => {
  void test('takes every request its uplink finishes, in turn, before its requester stops waiting; BUSY for the one it would not', async () => {
    // No limit on the wait for the first chunk: the deadlines alone decide.
    const { bed, e, links } = await holder('admit-deadlines', 4, [{ name: 'H' }], { uploadAdmissionDelayMs: 60_000 });
    const [link] = links;
    assert.ok(link);
    const got = received(bed, link);
    const t0 = bed.clock.now();
    // In turn at 200 000 B/s the copies end at ~0.5, 1.0, 1.5 and 2.0 s; each requester waits 1.7 s.
    for (let sn = 1; sn <= 4; sn++) link.send({ type: 'request', requestId: sn, rendition: 'v0', sn, offsetBytes: 0, withinMs: 1_700 });
    await bed.clock.advance(100);
    assert.deepEqual(link.messages('busy').map((m) => m.requestId), [4], 'three fit their deadlines (a fixed 1.5 s commitment took two), the fourth would not');
    assert.equal(e.engine.stats().uploadRefusals.deadline, 1);
    await bed.clock.advance(2_000);
    for (const id of [1, 2, 3]) {
      const { bytes, doneAtMs } = got(id);
      assert.equal(bytes, SIZE, `request ${id} served whole`);
      assert.ok(doneAtMs !== undefined && doneAtMs - t0 <= 1_700, `request ${id} done ${String(doneAtMs === undefined ? undefined : doneAtMs - t0)} ms after it was made`);
    }
    assert.ok(link.messages('queued').some((m) => m.requestId === 3), 'the third heard QUEUED while it waited');
    bed.destroyAll();
  });

  void test('refuses a request ranked first (a larger uplink) that would make one accepted before it late', async () => {
    const { bed, e, links } = await holder('admit-protects', 2, [{ name: 'A' }, { name: 'B', uploadKbps: 50_000 }], { uploadAdmissionDelayMs: 60_000, uploadCommitMs: 0 });
    const [a, b] = links;
    assert.ok(a && b);
    // B announced a large uplink: its uploads go before A's. A asks first and waits 650 ms: alone
    // it is done in ~0.25 s (the cap's bucket lets 50 000 B out at once), behind B at ~0.75 s.
    const gotA = received(bed, a);
    const t0 = bed.clock.now();
    a.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0, withinMs: 650 });
    await bed.clock.advance(20);
    b.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 2, offsetBytes: 0, withinMs: 5_000 });
    await bed.clock.advance(1_500);
    assert.deepEqual(b.messages('busy').map((m) => m.requestId), [1], 'B refused: going first it would make A late');
    assert.equal(a.messages('busy').length, 0);
    const { bytes, doneAtMs } = gotA(1);
    assert.equal(bytes, SIZE);
    assert.ok(doneAtMs !== undefined && doneAtMs - t0 <= 650, `A done within its 650 ms: ${String(doneAtMs === undefined ? undefined : doneAtMs - t0)}`);
    assert.equal(e.engine.stats().uploadRefusals.deadline, 1);
    bed.destroyAll();
  });

  void test('a requester queued behind other uploads longer than its stall timeout hears QUEUED, waits, and gets the segment from the peer', async () => {
    // E holds the segment; scripted X keeps E's uplink busy for ~2 s (four copies, X first by its
    // announced uplink); engine R asks E with 5 s to go and waits its turn.
    const bed = new Testbed({ seed: 'queued-wait' });
    const hx = bed.addScriptedPeer('X');
    hx.onOpen = (link) => link.greet({ uploadKbps: 50_000 });
    await bed.clock.advance(100);
    const e = bed.addEngine('E', { uploadCapBytesPerSec: CAP, uploadAdmissionDelayMs: 60_000, uploadCommitMs: 0 });
    await bed.clock.advance(1_000);
    for (let sn = 1; sn <= 4; sn++) {
      const ref = { rendition: 'v0', sn };
      bed.publish(ref, SIZE);
      await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 500)));
    }
    const r = bed.addEngine('R', { busyRetryWaitMs: 0 });
    await bed.connectAll(1);
    const x = hx.linkTo(bed.idOf('E'));
    assert.ok(x?.open);
    const disconnected: string[] = [];
    r.engine.on('peer-disconnected', ({ reason }) => disconnected.push(reason));
    for (let sn = 1; sn <= 4; sn++) x.send({ type: 'request', requestId: sn, rendition: 'v0', sn, offsetBytes: 0, withinMs: 60_000 });
    await bed.clock.advance(10);
    const t0 = bed.clock.now();
    const got = await bed.clock.settle(r.engine.loadSegment(bed.request({ rendition: 'v0', sn: 4 }, 5_000)));
    assert.equal(got.source, 'p2p', 'served by E after its turn came');
    assert.equal(r.http.requestCount, 0, 'nothing over HTTP');
    assert.ok(bed.clock.now() - t0 > r.engine.config.p2pStallTimeoutMs, `it waited ${bed.clock.now() - t0} ms, longer than the stall timeout`);
    assert.equal(r.engine.stats().peerViolations, 0, 'the wait was not taken for a lie');
    assert.deepEqual(disconnected, [], 'no connection closed');
    bed.destroyAll();
  });
});

void describe('a requester whose holders all said BUSY', () => {
  const ref = { rendition: 'v0', sn: 3 };

  /** H answers BUSY to its first `busyFor` requests, then serves. */
  function busyThenServe(bed: Testbed, link: ScriptedLink, bytes: Uint8Array, busyFor: number): void {
    let asked = 0;
    link.owner.onMessage = (msg, l) => {
      if (msg.type !== 'request') return;
      asked += 1;
      if (asked <= busyFor) {
        l.send({ type: 'busy', requestId: msg.requestId });
        return;
      }
      for (let at = msg.offsetBytes; at < bytes.length; at += 16_384) {
        l.send({ type: 'data', requestId: msg.requestId, offsetBytes: at, totalBytes: bytes.length, payload: bytes.subarray(at, Math.min(bytes.length, at + 16_384)) });
      }
    };
  }

  void test('asks again after busyRetryWaitMs while minP2pSlackMs is left, and gets it from the peer', async () => {
    const { bed, e, link, bytes } = await engineAndScripted('busy-retry', ref, SIZE);
    busyThenServe(bed, link, bytes, 2);
    const t0 = bed.clock.now();
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 4_000)));
    assert.equal(got.source, 'p2p');
    assert.ok(sameBytes(got.bytes, bytes));
    assert.equal(link.messages('request').length, 3, 'asked three times');
    assert.equal(e.http.requestCount, 0);
    assert.ok(bed.clock.now() - t0 >= 2 * e.engine.config.busyRetryWaitMs, 'each retry waited busyRetryWaitMs for an announcement');
    bed.destroyAll();
  });

  void test('stops asking once less than minP2pSlackMs is left: the rest is HTTP, in time', async () => {
    const { bed, e, link, bytes } = await engineAndScripted('busy-retry-ends', ref, SIZE);
    busyThenServe(bed, link, bytes, 1_000);
    const request = bed.request(ref, 3_000);
    const got = await bed.clock.settle(e.engine.loadSegment(request));
    assert.equal(got.source, 'http');
    assert.ok(sameBytes(got.bytes, bytes));
    const asks = link.messages('request').length;
    // 1 s of asking (3 s - minP2pSlackMs) at one ask per busyRetryWaitMs (300 ms) and a round trip.
    assert.ok(asks >= 2 && asks <= 5, `asked ${asks} times`);
    assert.equal(e.engine.stats().httpFetchReasons.peerBusy, 1);
    assert.ok(bed.clock.now() <= request.deadlineMs, 'in time');
    bed.destroyAll();
  });

  void test('with busyRetryWaitMs 0 it goes to HTTP after the first BUSY', async () => {
    const { bed, e, link, bytes } = await engineAndScripted('busy-no-retry', ref, SIZE, { busyRetryWaitMs: 0 });
    busyThenServe(bed, link, bytes, 1);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 4_000)));
    assert.equal(got.source, 'http');
    assert.equal(link.messages('request').length, 1);
    bed.destroyAll();
  });
});
