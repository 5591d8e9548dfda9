/** The test support itself: the simulator's numbers are only as good as these pieces. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseServerMessage, serializeMessage, type SignalData } from '@swarmcast/protocol';
import type { PeerLinkEvents } from '../src/ports.ts';
import { MemoryHttp } from './support/memory-http.ts';
import { MemoryNetwork, type MemoryLink } from './support/memory-network.ts';
import { MemoryTracker } from './support/memory-tracker.ts';
import { SeededRandom } from './support/seeded-random.ts';
import { VirtualClock } from './support/virtual-clock.ts';

void describe('VirtualClock', () => {
  void test('fires timers in time order, FIFO at equal times, only when advanced', async () => {
    const clock = new VirtualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 5);
    clock.clearTimeout(cancelled);
    assert.deepEqual(fired, []);
    await clock.advance(15);
    assert.deepEqual(fired, ['a@10']);
    assert.equal(clock.now(), 115);
    await clock.runUntil(200);
    assert.deepEqual(fired, ['a@10', 'b@20', 'c@20']);
    assert.equal(clock.pendingTimers(), 0);
  });

  void test('runs promise chains between timer callbacks', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));
    const chain = async (): Promise<void> => {
      await sleep(10);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      seen.push(`chain@${clock.now()}`);
      await sleep(10);
      seen.push(`chain@${clock.now()}`);
    };
    const done = chain();
    clock.setTimeout(() => seen.push(`timer@${clock.now()}`), 10);
    await clock.advance(100);
    await done;
    assert.deepEqual(seen, ['chain@10', 'timer@10', 'chain@20']);
  });

  void test('labels timers by owner and settles promises on virtual time', async () => {
    const clock = new VirtualClock();
    const a = clock.view('a');
    a.setTimeout(() => undefined, 10);
    const handle = a.setTimeout(() => undefined, 20);
    clock.view('b').setTimeout(() => undefined, 30);
    assert.deepEqual(clock.pendingByOwner(), { a: 2, b: 1 });
    a.clearTimeout(handle);
    assert.equal(clock.pendingTimers('a'), 1);
    const value = await clock.settle(new Promise<string>((resolve) => clock.setTimeout(() => resolve('ok'), 5_000)));
    assert.equal(value, 'ok');
    assert.equal(clock.now(), 5_000);
    await assert.rejects(clock.settle(new Promise(() => undefined), 1_000), /still pending/);
  });

  void test('a throwing timer callback fails the advance', async () => {
    const clock = new VirtualClock();
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 1);
    await assert.rejects(clock.advance(10), /boom/);
  });
});

void describe('SeededRandom', () => {
  void test('replays from a seed; forks are independent of draws', () => {
    const a = new SeededRandom('x');
    const b = new SeededRandom('x');
    const seqA = [a.random(), a.random(), a.random()];
    assert.deepEqual(seqA, [b.random(), b.random(), b.random()]);
    assert.notDeepEqual(seqA, [new SeededRandom('y').random(), 0, 0].slice(0, 3));
    assert.deepEqual(a.fork('f').bytes(8), new SeededRandom('x').fork('f').bytes(8));
    for (let i = 0; i < 1000; i++) {
      const v = a.random();
      assert.ok(v >= 0 && v < 1);
    }
  });
});

/** A link's events recorded, for network tests without engines. */
function recorder(): { events: PeerLinkEvents; log: string[]; messages: Uint8Array[]; signals: SignalData[]; drains: number[] } {
  const log: string[] = [];
  const messages: Uint8Array[] = [];
  const signals: SignalData[] = [];
  const drains: number[] = [];
  return {
    log,
    messages,
    signals,
    drains,
    events: {
      open: () => log.push('open'),
      message: (bytes) => messages.push(bytes),
      drain: () => drains.push(drains.length),
      close: (reason) => log.push(`close:${reason}`),
      signal: (data) => signals.push(data),
    },
  };
}

/** Connects node a to node b by hand, relaying signals directly (the engine would use the tracker). */
async function pair(net: MemoryNetwork, clock: VirtualClock): Promise<{ a: MemoryLink; b: MemoryLink; ra: ReturnType<typeof recorder>; rb: ReturnType<typeof recorder> }> {
  const ra = recorder();
  const rb = recorder();
  const a = net.node('a').open('peer-b', true, ra.events);
  await clock.advance(0);
  const offer = ra.signals[0];
  assert.ok(offer?.kind === 'description' && offer.sdpType === 'offer');
  const b = net.node('b').open('peer-a', false, rb.events);
  for (const s of ra.signals) if (s.kind !== 'decline') b.signal(s);
  await clock.advance(0);
  const answer = rb.signals[0];
  assert.ok(answer?.kind === 'description' && answer.sdpType === 'answer');
  for (const s of rb.signals) if (s.kind !== 'decline') a.signal(s);
  assert.deepEqual(ra.log, []);
  await clock.advance(1_000);
  return { a, b, ra, rb };
}

void describe('MemoryNetwork', () => {
  void test('offer/answer signaling opens both sides; messages arrive after the latency, in order', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock, latencyMs: 30 });
    const { a, b, ra, rb } = await pair(net, clock);
    assert.deepEqual(ra.log, ['open']);
    assert.deepEqual(rb.log, ['open']);
    assert.equal(a.remoteNode, 'b');
    const t0 = clock.now();
    a.send(new Uint8Array([1]));
    a.send(new Uint8Array([2]));
    await clock.advance(29);
    assert.equal(rb.messages.length, 0);
    await clock.advance(1);
    assert.deepEqual(rb.messages.map((m) => m[0]), [1, 2]);
    assert.equal(clock.now() - t0, 30);
    b.send(new Uint8Array([3]));
    await clock.advance(30);
    assert.deepEqual(ra.messages.map((m) => m[0]), [3]);
  });

  void test('bandwidth makes bufferedAmount real and fires drain below the low-water mark', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock, latencyMs: 10, bandwidthBytesPerSec: 100_000, lowWaterBytes: 20_000 });
    const { a, rb, ra } = await pair(net, clock);
    for (let i = 0; i < 10; i++) a.send(new Uint8Array(10_000));
    assert.equal(a.bufferedAmountBytes, 100_000);
    await clock.advance(500);
    // 50 KB left the buffer in 0.5 s at 100 KB/s.
    assert.equal(a.bufferedAmountBytes, 50_000);
    assert.equal(ra.drains.length, 0);
    await clock.advance(300);
    assert.equal(a.bufferedAmountBytes, 20_000);
    assert.equal(ra.drains.length, 1);
    await clock.advance(1_000);
    assert.equal(a.bufferedAmountBytes, 0);
    assert.equal(rb.messages.length, 10);
    assert.equal(ra.drains.length, 1, 'drain fires once per crossing');
    assert.equal(a.maxBufferedBytes, 100_000);
  });

  void test('a router queue takes messages out of the channel at once, sends them at the link rate, and holds no timer after close', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock, latencyMs: 10, bandwidthBytesPerSec: 100_000, lowWaterBytes: 20_000, profile: () => ({ routerQueueMs: 300 }) });
    const { a, rb } = await pair(net, clock);
    for (let i = 0; i < 10; i++) a.send(new Uint8Array(10_000));
    // 300 ms of the link fit in the router: 3 messages, the rest wait in the channel.
    assert.equal(a.bufferedAmountBytes, 70_000);
    await clock.advance(110);
    assert.equal(rb.messages.length, 1, 'the first after its 100 ms on the link and the latency');
    assert.equal(a.bufferedAmountBytes, 60_000, 'the router sent one: room for the next');
    a.close();
    await clock.advance(50);
    assert.equal(clock.pendingTimers(), 0, JSON.stringify(clock.pendingByOwner()));
  });

  void test('closing one side closes the other with a reason, after in-flight messages', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock, latencyMs: 20 });
    const { a, b, ra, rb } = await pair(net, clock);
    a.send(new Uint8Array([9]));
    a.close();
    assert.throws(() => a.send(new Uint8Array([1])), /send\(\) while closed/);
    await clock.advance(100);
    assert.equal(rb.messages.length, 1);
    assert.deepEqual(rb.log, ['open', 'close:remote peer closed the connection']);
    assert.deepEqual(ra.log, ['open'], 'no events after the own close()');
    assert.equal(b.state, 'closed');
    assert.equal(net.liveLinks().length, 0);
  });

  void test('inject puts raw bytes on a link; cut fails both sides', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock, latencyMs: 5 });
    const { rb, ra } = await pair(net, clock);
    net.inject('a', 'b', new Uint8Array([0xde, 0xad]));
    await clock.advance(10);
    assert.deepEqual([...(rb.messages[0] ?? [])], [0xde, 0xad]);
    net.cut('a', 'b', 'ice failed');
    assert.deepEqual(ra.log, ['open', 'close:ice failed']);
    assert.deepEqual(rb.log, ['open', 'close:ice failed']);
  });

  void test('an answer that does not match the offer is ignored', async () => {
    const clock = new VirtualClock();
    const net = new MemoryNetwork({ clock });
    const ra = recorder();
    const a = net.node('a').open('x', true, ra.events);
    a.signal({ kind: 'description', sdpType: 'answer', sdp: 'v=0 memnet endpoint=ep999' });
    a.signal({ kind: 'description', sdpType: 'answer', sdp: 'garbage' });
    await clock.advance(1_000);
    assert.equal(a.state, 'new');
    assert.equal(a.ignoredSignals, 2);
  });
});

void describe('MemoryTracker', () => {
  void test('welcome, join -> joined with the others, signal relay, pong, and error + close on bad input', async () => {
    const clock = new VirtualClock();
    const tracker = new MemoryTracker({ clock, latencyMs: 5 });
    const inbox: Record<string, string[]> = { a: [], b: [] };
    const closes: string[] = [];
    const open = (name: 'a' | 'b'): { send: (t: string) => void } =>
      tracker.socketFactory('ws://t', {
        open: () => undefined,
        message: (text) => inbox[name]?.push(text),
        close: (reason) => closes.push(`${name}:${reason}`),
      });
    const a = open('a');
    const b = open('b');
    await clock.advance(10);
    const welcomeA = parseServerMessage(inbox.a?.[0] ?? '');
    assert.ok(welcomeA.type === 'welcome');
    a.send(serializeMessage({ type: 'join', protocol: 1, swarm: 's', uploadKbps: 0 }));
    await clock.advance(20);
    b.send(serializeMessage({ type: 'join', protocol: 1, swarm: 's', uploadKbps: 0 }));
    await clock.advance(20);
    const joinedB = parseServerMessage(inbox.b?.at(-1) ?? '');
    assert.deepEqual(joinedB, { type: 'joined', swarm: 's', peers: [welcomeA.peerId] });
    const data: SignalData = { kind: 'description', sdpType: 'offer', sdp: 'x' };
    b.send(serializeMessage({ type: 'signal', swarm: 's', to: welcomeA.peerId, data }));
    b.send(serializeMessage({ type: 'signal', swarm: 's', to: 'nobody', data }));
    b.send(serializeMessage({ type: 'ping' }));
    await clock.advance(20);
    const relayed = parseServerMessage(inbox.a?.at(-1) ?? '');
    assert.ok(relayed.type === 'signal');
    assert.deepEqual(relayed.data, data);
    assert.deepEqual(parseServerMessage(inbox.b?.at(-1) ?? ''), { type: 'pong' });
    assert.equal(tracker.signalsRelayed, 1);
    b.send('{"type":"nonsense"}');
    await clock.advance(20);
    assert.equal(parseServerMessage(inbox.b?.at(-1) ?? '').type, 'error');
    assert.deepEqual(closes, ['b:TRACKER_MSG_INVALID']);
    assert.deepEqual(tracker.members('s'), [welcomeA.peerId]);
  });
});

void describe('MemoryHttp', () => {
  void test('latency + bandwidth, Range, progress, counting, abort', async () => {
    const clock = new VirtualClock();
    const body = new SeededRandom(3).bytes(100_000);
    const http = new MemoryHttp({ clock, latencyMs: 50, bandwidthBytesPerSec: 1_000_000, progressStepBytes: 25_000 });
    http.resources.set('u', body);
    const progress: number[] = [];
    const full = clock.settle(http.fetch({ url: 'u', onProgress: (n) => progress.push(n) }, new AbortController().signal));
    const response = await full;
    assert.equal(clock.now(), 150, '50 ms to first byte + 100 KB at 1 MB/s');
    assert.deepEqual(response.bytes, body);
    assert.equal(response.totalBytes, 100_000);
    assert.deepEqual(progress, [25_000, 50_000, 75_000, 100_000]);
    const ranged = await clock.settle(http.fetch({ url: 'u', range: { startBytes: 60_000 } }, new AbortController().signal));
    assert.deepEqual(ranged.bytes, body.subarray(60_000));
    const controller = new AbortController();
    const aborted = http.fetch({ url: 'u' }, controller.signal);
    await clock.advance(80);
    controller.abort();
    await assert.rejects(aborted);
    await assert.rejects(clock.settle(http.fetch({ url: 'missing' }, new AbortController().signal)), /HTTP 404/);
    assert.deepEqual(
      http.log.map((e) => [e.outcome, e.bytes]),
      [
        ['ok', 100_000],
        ['ok', 40_000],
        ['aborted', 25_000],
        ['error', 0],
      ],
    );
    assert.equal(http.requestCount, 4);
    assert.equal(clock.pendingTimers(), 0);
  });
});
