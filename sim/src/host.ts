/**
 * One machine on the simulated network: its uplink and its downlink.
 *
 * Uplink: each DataChannel (link) has its own send queue, as each RTCPeerConnection has its own
 * SCTP association; the uplink serves the links with queued messages round-robin, one message per
 * turn, at the host's upload capacity. So a link's bufferedAmount is its own backlog, and a short
 * message on one link never waits behind another link's megabyte (fair queueing by message, which
 * favours links sending small control messages, as per-flow queueing does). A control message sent
 * while no link has a backlog skips the queue bookkeeping: its transmission slot is booked at once
 * (one event fewer per message); DATA always goes through the queue so back-pressure is exact.
 *
 * Downlink: one pipe of the download capacity shared by everything the host receives. A transfer
 * whose bits arrive over [start, end] at the sender's pace finishes at
 * max(end, max(downFree, start) + bytes / capacity): no extra delay while the downlink keeps up,
 * queueing behind earlier transfers when it does not.
 */
import type { SimEvent } from './event-heap.ts';
import type { SimLink } from './sim-link.ts';
import type { Scheduler } from './scheduler.ts';

/** A transmission on an uplink, for tests of the capacity model. */
export type TransmitHook = (host: Host, startMs: number, endMs: number, wireBytes: number) => void;

export class Host {
  /** This host's link sides that are not closed. */
  readonly links = new Set<SimLink>();
  crashed = false;
  /** Wire bytes this host's uplink has sent. */
  sentWireBytes = 0;
  /** Links with queued messages, in round-robin order. */
  private readonly active: SimLink[] = [];
  private busyUntilMs = 0;
  /** The pending end of a transmission, or the wake-up once the uplink is free. */
  private txEvent: SimEvent | undefined;
  private downFreeAtMs = 0;

  constructor(
    readonly id: number,
    /** Position on the latency ring, [0, 1). */
    readonly ringPos: number,
    readonly upBytesPerSec: number,
    readonly downBytesPerSec: number,
    private readonly scheduler: Scheduler,
    private readonly onTransmit: TransmitHook | undefined,
  ) {}

  /** Hands a message of `link` to the uplink. */
  send(link: SimLink, bytes: Uint8Array, wireBytes: number, isData: boolean): void {
    if (!isData && link.queue.length === 0 && this.active.length === 0 && !link.frozen) {
      const now = this.scheduler.now();
      const start = this.busyUntilMs > now ? this.busyUntilMs : now;
      const end = start + (wireBytes / this.upBytesPerSec) * 1000;
      this.busyUntilMs = end;
      this.record(start, end, wireBytes);
      link.transmitted(bytes, wireBytes, end, end - start);
      return;
    }
    link.queue.push(bytes);
    link.buffered += bytes.length;
    if (!link.active && !link.frozen) {
      link.active = true;
      this.active.push(link);
    }
    if (this.txEvent === undefined) this.startNext();
  }

  /** A link closed or froze: it leaves the round-robin. */
  deactivate(link: SimLink): void {
    if (!link.active) return;
    link.active = false;
    const i = this.active.indexOf(link);
    if (i >= 0) this.active.splice(i, 1);
  }

  /**
   * Books the downlink for a transfer whose bits reach this host over [startMs, endMs] at the
   * sender's pace; returns when the last byte is in.
   */
  receive(startMs: number, endMs: number, wireBytes: number): number {
    const from = this.downFreeAtMs > startMs ? this.downFreeAtMs : startMs;
    const viaDownlink = from + (wireBytes / this.downBytesPerSec) * 1000;
    const done = viaDownlink > endMs ? viaDownlink : endMs;
    this.downFreeAtMs = done;
    return done;
  }

  private startNext(): void {
    const now = this.scheduler.now();
    if (this.busyUntilMs > now) {
      if (this.active.length > 0) this.txEvent = this.scheduler.at(this.busyUntilMs, this.wake);
      return;
    }
    let link = this.active.shift();
    while (link !== undefined && link.frozen) {
      link.active = false;
      link = this.active.shift();
    }
    if (link === undefined) return;
    const bytes = link.queue.shift() as Uint8Array;
    if (link.queue.length > 0) this.active.push(link);
    else link.active = false;
    const wireBytes = link.wireBytes(bytes);
    const txMs = (wireBytes / this.upBytesPerSec) * 1000;
    const end = now + txMs;
    this.busyUntilMs = end;
    this.record(now, end, wireBytes);
    this.txEvent = this.scheduler.at(end, () => {
      this.txEvent = undefined;
      link.dequeued(bytes);
      link.transmitted(bytes, wireBytes, end, txMs);
      this.startNext();
      link.checkDrain();
    });
  }

  private readonly wake = (): void => {
    this.txEvent = undefined;
    this.startNext();
  };

  private record(startMs: number, endMs: number, wireBytes: number): void {
    this.sentWireBytes += wireBytes;
    this.onTransmit?.(this, startMs, endMs, wireBytes);
  }
}
