/** WebRTC's transport on simulated uplinks: packet headers on what a host sends, SACKs for what it receives. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Host } from '../src/host.ts';
import { PACKET_OVERHEAD_BYTES, PACKET_PAYLOAD_BYTES, SACK_PACKET_BYTES, messageWireBytes, sackWireBytes } from '../src/transport-overhead.ts';
import { connect, dataMessage, haveMessage, world } from './net-helpers.ts';

const KB = 1024;
const CAPACITY = 75_000; // 600 kbit/s

/** A sends 100 DATA messages of 4 KiB to B (and B as many to A if `alsoToA`): when B had A's last one, and what each uplink carried. */
async function stream(overhead: boolean, alsoToA: boolean): Promise<{ lastMs: number; aWire: number; bWire: number; sent: number }> {
  const wire = new Map<Host, number>();
  const { scheduler, net } = world({ rttMs: 40, transportOverhead: overhead, onTransmit: (host, _s, _e, bytes) => wire.set(host, (wire.get(host) ?? 0) + bytes) });
  const a = net.addHost(CAPACITY, 10_000_000, 0);
  const b = net.addHost(CAPACITY, 10_000_000, 0.1);
  const [sa, sb] = await connect(scheduler, net, a, b);
  wire.clear();
  const start = scheduler.now();
  let sent = 0;
  for (let i = 0; i < 100; i++) {
    const msg = dataMessage(4 * KB, i * 4 * KB);
    sent += msg.length;
    sa.link.send(msg);
    // B streams to A at the same time: its uplink also carries the SACKs for what A sends it.
    if (alsoToA) sb.link.send(dataMessage(4 * KB, i * 4 * KB));
  }
  await scheduler.run(start + 60_000);
  assert.equal(sb.received.length, 100);
  return { lastMs: (sb.received.at(-1)?.atMs ?? 0) - start, aWire: wire.get(a) ?? 0, bWire: wire.get(b) ?? 0, sent };
}

void describe('transport overhead', () => {
  void test('a message on the wire: its bytes plus 93 bytes of headers per SCTP packet; its SACKs: one per two packets', () => {
    assert.equal(messageWireBytes(4109), 4109 + 4 * PACKET_OVERHEAD_BYTES, 'a 4 KiB DATA message takes 4 packets');
    assert.equal(messageWireBytes(PACKET_PAYLOAD_BYTES), PACKET_PAYLOAD_BYTES + PACKET_OVERHEAD_BYTES);
    assert.equal(messageWireBytes(PACKET_PAYLOAD_BYTES + 1), PACKET_PAYLOAD_BYTES + 1 + 2 * PACKET_OVERHEAD_BYTES);
    assert.equal(messageWireBytes(12), 12 + PACKET_OVERHEAD_BYTES, 'a HAVE is a packet of its own');
    assert.equal(sackWireBytes(4109), 2 * SACK_PACKET_BYTES);
    assert.equal(sackWireBytes(12), SACK_PACKET_BYTES, 'every message is acknowledged');
  });

  void test("a sender's uplink carries the headers: a stream takes (bytes + headers) / capacity", async () => {
    const bare = await stream(false, false);
    const real = await stream(true, false);
    const headers = 100 * 4 * PACKET_OVERHEAD_BYTES;
    assert.equal(bare.aWire, bare.sent, 'bare links carry the messages alone');
    assert.equal(real.aWire, real.sent + headers);
    const floor = ((real.sent + headers) / CAPACITY) * 1000 + 20;
    assert.ok(real.lastMs >= floor - 1e-6 && real.lastMs <= floor + 1, `took ${String(real.lastMs)} ms, floor ${String(floor)} ms`);
    assert.ok(real.lastMs > bare.lastMs * 1.08, `${String(real.lastMs)} ms against ${String(bare.lastMs)} ms bare`);
  });

  void test("a receiver's uplink carries its SACKs: they go out when it is idle, and delay what it sends when it is busy", async () => {
    const sacks = 100 * sackWireBytes(dataMessage(4 * KB).length);
    const idle = await stream(true, false);
    // B sent nothing of its own: its uplink carried exactly the SACKs, in its idle moments.
    assert.equal(idle.bWire, sacks);
    const busy = await stream(true, true);
    // Both stream at once: each uplink carries its own stream's packets and the other's SACKs, so
    // each stream takes longer than alone by about the SACKs' time.
    // (The SACKs for A's last message are owed after B's last transmission: none carries them.)
    const expected = busy.sent + 100 * 4 * PACKET_OVERHEAD_BYTES + sacks;
    assert.ok(busy.bWire <= expected + 1e-6 && busy.bWire >= expected - sacks / 100 - 1e-6, `B's uplink: ${String(busy.bWire)} bytes, expected ${String(expected)}`);
    const extraMs = busy.lastMs - idle.lastMs;
    const sackMs = (sacks / CAPACITY) * 1000;
    assert.ok(extraMs > 0.8 * sackMs && extraMs < 1.2 * sackMs, `${String(extraMs)} ms later, SACKs take ${String(sackMs)} ms`);
  });

  void test('SACKs owed on a busy uplink are not charged again after it idled', async () => {
    const { scheduler, net } = world({ rttMs: 40, transportOverhead: true });
    const a = net.addHost(CAPACITY, 10_000_000, 0);
    const b = net.addHost(CAPACITY, 10_000_000, 0.1);
    const [sa, sb] = await connect(scheduler, net, a, b);
    // B is busy sending while A's stream arrives: SACKs are owed, then B idles for 10 s.
    for (let i = 0; i < 20; i++) {
      sb.link.send(dataMessage(4 * KB, i * 4 * KB));
      sa.link.send(dataMessage(4 * KB, i * 4 * KB));
    }
    await scheduler.run(scheduler.now() + 10_000);
    const t0 = scheduler.now();
    sb.link.send(haveMessage(1));
    await scheduler.run(t0 + 1_000);
    const at = sa.received.at(-1)?.atMs ?? 0;
    const expected = t0 + (messageWireBytes(haveMessage(1).length) / CAPACITY) * 1000 + 20;
    assert.ok(Math.abs(at - expected) < 1e-6, `the HAVE arrived at ${String(at - t0)} ms, expected ${String(expected - t0)} ms`);
  });
});
