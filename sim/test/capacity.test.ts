/** The capacity model: uplinks, downlinks, back-pressure, fairness, crashes. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Host } from '../src/host.ts';
import { connect, dataMessage, haveMessage, world, type Side } from './net-helpers.ts';

const KB = 1024;

void describe('uplink capacity', () => {
  void test('a transfer of X bytes over a link of capacity C takes at least X / C (plus latency), and not much more', async () => {
    const { scheduler, net } = world({ rttMs: 40 });
    const capacity = 100_000;
    const a = net.addHost(capacity, 10_000_000, 0);
    const b = net.addHost(capacity, 10_000_000, 0.1);
    const [sa, sb] = await connect(scheduler, net, a, b);
    const start = scheduler.now();
    let wire = 0;
    for (let i = 0; i < 64; i++) {
      const msg = dataMessage(16 * KB, i * 16 * KB);
      wire += msg.length;
      sa.link.send(msg);
    }
    await scheduler.run(start + 60_000);
    assert.equal(sb.received.length, 64);
    const took = (sb.received.at(-1)?.atMs ?? 0) - start;
    const floor = (wire / capacity) * 1000 + 20;
    assert.ok(took >= floor - 1e-6, `took ${took} ms, floor ${floor} ms`);
    assert.ok(took <= floor + 1, `took ${took} ms, floor ${floor} ms: the model adds no delay of its own`);
  });

  void test("a peer's upload never exceeds its capacity over any window, whatever its links send", async () => {
    const log: { host: Host; startMs: number; endMs: number; wireBytes: number }[] = [];
    const { scheduler, net } = world({ onTransmit: (host, startMs, endMs, wireBytes) => log.push({ host, startMs, endMs, wireBytes }) });
    const capacity = 50_000;
    const src = net.addHost(capacity, 10_000_000, 0);
    const links: Side[] = [];
    for (let i = 0; i < 4; i++) links.push((await connect(scheduler, net, src, net.addHost(capacity, 10_000_000, 0.05 * (i + 1))))[0]);
    const t0 = scheduler.now();
    // Bursts of data and control on every link, at scattered times.
    for (let k = 0; k < 40; k++) {
      scheduler.at(t0 + k * 97, () => {
        links.forEach((side, i) => {
          if ((k + i) % 3 === 0) side.link.send(dataMessage(8 * KB + 100 * i));
          side.link.send(haveMessage(k));
        });
      });
    }
    await scheduler.run(t0 + 120_000);
    const mine = log.filter((e) => e.host === src).sort((x, y) => x.startMs - y.startMs);
    assert.ok(mine.length > 100);
    for (let i = 0; i < mine.length; i++) {
      const e = mine[i];
      if (!e) continue;
      assert.ok(Math.abs(e.endMs - e.startMs - (e.wireBytes / capacity) * 1000) < 1e-6, 'each message takes bytes / capacity');
      const prev = mine[i - 1];
      if (prev) assert.ok(e.startMs >= prev.endMs - 1e-6, 'one message at a time on the uplink');
    }
    // Any window: bytes on the wire within it (pro rata) never exceed capacity x window.
    for (const windowMs of [1, 10, 100, 1000]) {
      for (const w of mine) {
        const from = w.startMs;
        const to = from + windowMs;
        let bytes = 0;
        for (const e of mine) {
          const overlap = Math.min(to, e.endMs) - Math.max(from, e.startMs);
          if (overlap > 0) bytes += (e.wireBytes * overlap) / (e.endMs - e.startMs);
        }
        assert.ok(bytes <= (capacity * windowMs) / 1000 + 1e-6, `${bytes} bytes in ${windowMs} ms`);
      }
    }
  });

  void test('an uplink that swings sends the messages after the change at the new share of its capacity', async () => {
    const log: { host: Host; startMs: number; endMs: number; wireBytes: number }[] = [];
    const { scheduler, net } = world({ onTransmit: (host, startMs, endMs, wireBytes) => log.push({ host, startMs, endMs, wireBytes }) });
    const capacity = 100_000;
    const a = net.addHost(capacity, 10_000_000, 0);
    const [sa] = await connect(scheduler, net, a, net.addHost(capacity, 10_000_000, 0.1));
    const rateOf = async (): Promise<number> => {
      log.length = 0;
      for (let i = 0; i < 8; i++) sa.link.send(dataMessage(16 * KB, i * 16 * KB));
      await scheduler.run(scheduler.now() + 10_000);
      const mine = log.filter((e) => e.host === a);
      return mine.reduce((s, e) => s + e.wireBytes, 0) / mine.reduce((s, e) => s + e.endMs - e.startMs, 0) * 1000;
    };
    assert.ok(Math.abs((await rateOf()) - capacity) < 1, 'the whole capacity before');
    a.setUplinkShare(0.25);
    assert.ok(Math.abs((await rateOf()) - capacity / 4) < 1, 'a quarter of it after');
    a.setUplinkShare(1);
    assert.ok(Math.abs((await rateOf()) - capacity) < 1, 'and back');
  });

  void test('links with a backlog share the uplink fairly, and a control message does not wait behind another link\'s backlog', async () => {
    const { scheduler, net } = world();
    const src = net.addHost(100_000, 10_000_000, 0);
    const [s1, r1] = await connect(scheduler, net, src, net.addHost(1e6, 1e7, 0.1));
    const [s2, r2] = await connect(scheduler, net, src, net.addHost(1e6, 1e7, 0.2));
    const t0 = scheduler.now();
    for (let i = 0; i < 20; i++) s1.link.send(dataMessage(10_000));
    for (let i = 0; i < 20; i++) s2.link.send(dataMessage(10_000));
    await scheduler.run(t0 + 100);
    s2.link.send(haveMessage(1)); // queued behind s2's own backlog (ordered channel), not s1's
    await scheduler.run(t0 + 30_000);
    const done1 = (r1.received.at(-1)?.atMs ?? 0) - t0;
    const done2 = (r2.received.at(-1)?.atMs ?? 0) - t0;
    assert.ok(Math.abs(done1 - done2) <= 250, `both backlogs finish together, within two messages: ${done1} vs ${done2} ms`);
    assert.ok(done1 > 3_700, `each backlog gets half of 100 kB/s: 200 kB take ~4 s, took ${done1} ms`);
  });

  void test('a control message on a link with no backlog goes out after one packet per busy link, not after their whole chunks', async () => {
    const log: { host: Host; startMs: number; endMs: number; wireBytes: number }[] = [];
    const { scheduler, net } = world({ rttMs: 40, onTransmit: (host, startMs, endMs, wireBytes) => log.push({ host, startMs, endMs, wireBytes }) });
    const capacity = 30_000; // a slow uplink: a 16 KiB chunk takes 546 ms
    const src = net.addHost(capacity, 1e7, 0);
    const busy: Side[] = [];
    for (let i = 0; i < 5; i++) busy.push((await connect(scheduler, net, src, net.addHost(1e6, 1e7, 0.05 * (i + 1))))[0]);
    const [idle, idleRx] = await connect(scheduler, net, src, net.addHost(1e6, 1e7, 0.5));
    const t0 = scheduler.now();
    for (const side of busy) for (let i = 0; i < 4; i++) side.link.send(dataMessage(16 * KB));
    await scheduler.run(t0 + 100);
    const sentAt = scheduler.now();
    idle.link.send(haveMessage(7));
    await scheduler.run(t0 + 30_000);
    const arrivedAfter = (idleRx.received[0]?.atMs ?? Infinity) - sentAt;
    const packetRoundMs = ((1200 * 6) / capacity) * 1000; // the packet on the wire, then one of each other busy link
    // + one-way latency and its own transmission
    assert.ok(arrivedAfter <= packetRoundMs + 20 + 5, `control message took ${arrivedAfter} ms (one round of packets: ${packetRoundMs} ms)`);
    // The data it cut into lost exactly the control message's time, and the uplink never ran above capacity.
    const mine = log.filter((e) => e.host === src).sort((x, y) => x.startMs - y.startMs);
    for (let i = 1; i < mine.length; i++) assert.ok((mine[i]?.startMs ?? 0) >= (mine[i - 1]?.endMs ?? 0) - 1e-6, 'one piece at a time');
    const total = mine.reduce((sum, e) => sum + e.wireBytes, 0);
    const span = (mine.at(-1)?.endMs ?? 0) - (mine[0]?.startMs ?? 0);
    assert.ok(Math.abs(span - (total / capacity) * 1000) < 1e-3, `busy ${span} ms for ${total} bytes: no idle gap, no overlap`);
    for (const side of busy) assert.equal(side.link.bufferedAmountBytes, 0);
  });

  void test('bufferedAmount holds the unsent backlog and drain fires when it falls to the low-water mark', async () => {
    const { scheduler, net } = world({ lowWaterBytes: 32 * KB });
    const src = net.addHost(64 * KB, 10_000_000, 0);
    const [s] = await connect(scheduler, net, src, net.addHost(1e6, 1e7, 0.1));
    for (let i = 0; i < 8; i++) s.link.send(dataMessage(16 * KB));
    assert.ok(s.link.bufferedAmountBytes >= 7 * 16 * KB, `buffered ${s.link.bufferedAmountBytes}`);
    const t0 = scheduler.now();
    await scheduler.run(t0 + 1_700);
    assert.equal(s.drains, 0, 'two messages (just over 32 KiB) still buffered');
    await scheduler.run(t0 + 1_800);
    assert.equal(s.drains, 1);
    assert.ok(s.link.bufferedAmountBytes <= 32 * KB);
    await scheduler.run(t0 + 5_000);
    assert.equal(s.link.bufferedAmountBytes, 0);
    assert.equal(s.drains, 1, 'drain fires once per crossing');
  });
});

void describe('downlink and byte scale', () => {
  void test('two senders into one downlink of capacity D: the bytes take at least total / D', async () => {
    const { scheduler, net } = world();
    const sink = net.addHost(1e6, 100_000, 0);
    const [a, ra] = await connect(scheduler, net, net.addHost(100_000, 1e7, 0.1), sink);
    const [b, rb] = await connect(scheduler, net, net.addHost(100_000, 1e7, 0.1), sink);
    const t0 = scheduler.now();
    let total = 0;
    for (let i = 0; i < 20; i++) {
      for (const side of [a, b]) {
        const msg = dataMessage(10_000);
        total += msg.length;
        side.link.send(msg);
      }
    }
    await scheduler.run(t0 + 30_000);
    assert.equal(ra.received.length + rb.received.length, 40);
    const last = Math.max(ra.received.at(-1)?.atMs ?? 0, rb.received.at(-1)?.atMs ?? 0) - t0;
    // Each sender alone could do it in 2 s; together they need the downlink for 4 s.
    assert.ok(last >= (total / 100_000) * 1000 - 1, `${last} ms for ${total} bytes at 100 kB/s`);
  });

  void test('with byte scale K a DATA payload costs K times its size on the wire', async () => {
    const timeFor = async (byteScale: number, payload: number): Promise<number> => {
      const { scheduler, net } = world({ byteScale });
      const [s, r] = await connect(scheduler, net, net.addHost(50_000, 1e7, 0), net.addHost(50_000, 1e7, 0.1));
      const t0 = scheduler.now();
      for (let i = 0; i < 10; i++) s.link.send(dataMessage(payload));
      await scheduler.run(t0 + 60_000);
      return (r.received.at(-1)?.atMs ?? 0) - t0;
    };
    const full = await timeFor(1, 16 * KB);
    const scaled = await timeFor(16, KB);
    assert.ok(Math.abs(full - scaled) < 1e-6, `${full} vs ${scaled} ms`);
  });
});

void describe('failures', () => {
  void test('a crashed host goes silent: sends to it stay buffered, and its peer sees the connection fail later', async () => {
    const { scheduler, net } = world();
    const victim = net.addHost(1e5, 1e6, 0.3);
    const [s, r] = await connect(scheduler, net, net.addHost(1e5, 1e6, 0), victim);
    net.crash(victim);
    const t0 = scheduler.now();
    s.link.send(dataMessage(4_000));
    await scheduler.run(t0 + 1_000);
    assert.equal(r.received.length, 0);
    assert.ok(s.link.bufferedAmountBytes > 4_000, 'nothing drains towards a crashed peer');
    assert.equal(s.closed, undefined);
    await scheduler.run(t0 + 6_000);
    assert.equal(s.closed, 'connection failed');
  });

  void test('a graceful close reaches the other side after the latency', async () => {
    const { scheduler, net } = world({ rttMs: 100 });
    const [s, r] = await connect(scheduler, net, net.addHost(1e5, 1e6, 0), net.addHost(1e5, 1e6, 0.5));
    const t0 = scheduler.now();
    s.link.close();
    await scheduler.run(t0 + 49);
    assert.equal(r.closed, undefined);
    await scheduler.run(t0 + 51);
    assert.equal(r.closed, 'remote peer closed the connection');
  });
});
