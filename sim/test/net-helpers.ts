/** Small worlds for the network tests: hosts, and links paired by relaying signals directly. */
import type { PeerLinkEvents } from '@swarmcast/core';
import { encodePeerMessage } from '@swarmcast/protocol';
import { SeededRandom } from '../../packages/core/test/support/seeded-random.ts';
import type { Host, TransmitHook } from '../src/host.ts';
import { SimNetwork } from '../src/network.ts';
import { Scheduler } from '../src/scheduler.ts';
import type { SimLink } from '../src/sim-link.ts';

export interface Side {
  readonly link: SimLink;
  readonly received: { atMs: number; bytes: Uint8Array }[];
  drains: number;
  closed: string | undefined;
  opened: boolean;
}

export function world(options: { loss?: number; byteScale?: number; lowWaterBytes?: number; onTransmit?: TransmitHook; rttMs?: number; transportOverhead?: boolean } = {}): {
  scheduler: Scheduler;
  net: SimNetwork;
} {
  const scheduler = new Scheduler();
  const rtt = options.rttMs ?? 40;
  const net = new SimNetwork({
    scheduler,
    random: new SeededRandom('net-test'),
    rttMinMs: rtt,
    rttMaxMs: rtt,
    loss: options.loss ?? 0,
    byteScale: options.byteScale ?? 1,
    lowWaterBytes: options.lowWaterBytes ?? 64 * 1024,
    crashDetectMs: 5_000,
    transportOverhead: options.transportOverhead ?? false,
    ...(options.onTransmit ? { onTransmit: options.onTransmit } : {}),
  });
  return { scheduler, net };
}

/** Opens a connection from `a` to `b`; resolves once both sides are open. */
export async function connect(scheduler: Scheduler, net: SimNetwork, a: Host, b: Host): Promise<[Side, Side]> {
  const sides: Side[] = [];
  const make = (host: Host, initiator: boolean, peer: () => Side | undefined): Side => {
    const received: Side['received'] = [];
    const events: PeerLinkEvents = {
      open: () => (side.opened = true),
      message: (bytes) => received.push({ atMs: scheduler.now(), bytes }),
      drain: () => (side.drains += 1),
      close: (reason) => (side.closed = reason),
      signal: (data) => {
        const other = peer();
        // Relayed as by a tracker, 10 ms later.
        scheduler.setTimeout(() => other?.link.signal(data), 10);
      },
    };
    const link = net.openLink(host, initiator, events);
    const side: Side = { link, received, drains: 0, closed: undefined, opened: false };
    return side;
  };
  const offerer = make(a, true, () => sides[1]);
  const answerer = make(b, false, () => sides[0]);
  sides.push(offerer, answerer);
  await scheduler.run(scheduler.now() + 1_000);
  if (!offerer.opened || !answerer.opened) throw new Error('link did not open');
  return [offerer, answerer];
}

/** A DATA message with `payloadBytes` of payload, as the engine encodes it. */
export function dataMessage(payloadBytes: number, offsetBytes = 0, totalBytes = 1 << 24): Uint8Array {
  return encodePeerMessage({ type: 'data', requestId: 1, offsetBytes, totalBytes, payload: new Uint8Array(payloadBytes) });
}

/** A small control message (HAVE). */
export function haveMessage(sn: number): Uint8Array {
  return encodePeerMessage({ type: 'have', rendition: 'live', sn, sizeBytes: 1000 });
}
