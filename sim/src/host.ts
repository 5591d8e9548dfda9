/**
 * One machine on the simulated network: its uplink and its downlink.
 *
 * Uplink: each DataChannel (link) has its own send queue, as each RTCPeerConnection has its own
 * SCTP association; the uplink serves the links with queued messages round-robin, one message per
 * turn, at the host's upload capacity. So a link's bufferedAmount is its own backlog, and links
 * with a backlog share the uplink fairly.
 *
 * A control message (anything but DATA) on a link with no backlog of its own does not wait for the
 * other links' whole messages: SCTP associations interleave by packet (~1.2 KB), and a control
 * message fits in one. It goes out once the packet on the wire and one packet of each other link
 * with a backlog have gone (packet round-robin), pausing the message on the wire for its own
 * transmission time. Serving it after whole 16 KiB chunks of every busy link instead (the model
 * before) held a REQUEST or BUSY on a slow uplink for over a second, which the silence-after-HAVE
 * rule read as a lie. A control message sent while the uplink is idle or sending only control
 * messages is booked at once (no event of its own).
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

/** Bytes of one SCTP packet over DTLS and UDP on a typical path MTU: the unit links interleave by. */
export const PACKET_BYTES = 1200;

/** The message on the wire: sent in pieces when control messages cut in. */
interface OnWire {
  readonly link: SimLink;
  readonly bytes: Uint8Array;
  readonly wireBytes: number;
  /** When its first piece started. */
  readonly firstStartMs: number;
  /** The current piece: from when (possibly in the future, after control messages), with how many bytes left. */
  pieceStartMs: number;
  pieceWireBytes: number;
  endMs: number;
  event: SimEvent;
}

export class Host {
  /** This host's link sides that are not closed. */
  readonly links = new Set<SimLink>();
  crashed = false;
  /** Wire bytes this host's uplink has sent. */
  sentWireBytes = 0;
  /** Links with queued messages, in round-robin order. */
  private readonly active: SimLink[] = [];
  /** The end of everything booked on the uplink. */
  private busyUntilMs = 0;
  private onWire: OnWire | undefined;
  /** The wake-up once control messages booked ahead free the uplink. */
  private wakeEvent: SimEvent | undefined;
  private downFreeAtMs = 0;
  private packetMs: number;
  /** The uplink's rate now, full-scale bytes/s: its capacity times the share of the moment (set by setUplinkShare only). */
  private upBytesPerSec: number;
  /** Acknowledgements owed while the uplink was busy: they go out with its next transmission. */
  private ackDebtBytes = 0;

  constructor(
    readonly id: number,
    /** Position on the latency ring, [0, 1). */
    readonly ringPos: number,
    /** The uplink's capacity, full-scale bytes/s. */
    readonly upCapacityBytesPerSec: number,
    readonly downBytesPerSec: number,
    private readonly scheduler: Scheduler,
    private readonly onTransmit: TransmitHook | undefined,
  ) {
    this.upBytesPerSec = upCapacityBytesPerSec;
    this.packetMs = (PACKET_BYTES / upCapacityBytesPerSec) * 1000;
  }

  /**
   * The share of its capacity the uplink carries from now on (0-1]: a browser short of CPU, or an
   * uplink shared with other traffic, sends slower for a while (see ScenarioParams.uplinkSwing). The
   * message on the wire keeps the time it was booked for; the next ones go at the new rate.
   */
  setUplinkShare(share: number): void {
    this.upBytesPerSec = this.upCapacityBytesPerSec * share;
    this.packetMs = (PACKET_BYTES / this.upBytesPerSec) * 1000;
  }

  /** Hands a message of `link` to the uplink. */
  send(link: SimLink, bytes: Uint8Array, wireBytes: number, isData: boolean): void {
    if (!isData && link.queue.length === 0 && !link.frozen) {
      this.sendControl(link, bytes, wireBytes);
      return;
    }
    link.queue.push(bytes);
    link.buffered += link.engineBytes(bytes);
    if (!link.active && !link.frozen) {
      link.active = true;
      this.active.push(link);
    }
    if (this.onWire === undefined && this.wakeEvent === undefined) this.startNext();
  }

  /**
   * The transport acknowledges `wireBytes` of packets received: on an idle uplink they go out now;
   * on a busy one they lengthen its next transmission (no event of their own: one per message
   * received would double the simulator's work for a few per cent of the uplink).
   */
  acknowledge(wireBytes: number): void {
    const now = this.scheduler.now();
    if (this.onWire === undefined && this.busyUntilMs <= now) {
      const end = now + (wireBytes / this.upBytesPerSec) * 1000;
      this.busyUntilMs = end;
      this.record(now, end, wireBytes);
      return;
    }
    this.ackDebtBytes += wireBytes;
  }

  /** Acknowledgements owed and not sent in an idle moment since (see acknowledge): taken now. */
  private takeAckDebt(now: number): number {
    const owed = this.ackDebtBytes;
    if (owed === 0) return 0;
    this.ackDebtBytes = 0;
    if (now <= this.busyUntilMs) return owed;
    // They went out once the uplink fell idle, as far as that idle time allowed.
    const paid = Math.min(owed, ((now - this.busyUntilMs) / 1000) * this.upBytesPerSec);
    this.record(this.busyUntilMs, this.busyUntilMs + (paid / this.upBytesPerSec) * 1000, paid);
    return owed - paid;
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

  private sendControl(link: SimLink, bytes: Uint8Array, wireBytes: number): void {
    const now = this.scheduler.now();
    const acks = this.takeAckDebt(now);
    const txMs = ((wireBytes + acks) / this.upBytesPerSec) * 1000;
    const wire = this.onWire;
    let start = this.busyUntilMs > now ? this.busyUntilMs : now;
    if (wire !== undefined) {
      // Control messages cut in already: this one joins them. Else it cuts into the message on the
      // wire after the packet round, unless that message ends first.
      const cutMs = wire.pieceStartMs > now ? wire.pieceStartMs : now + this.packetMs * (1 + this.active.length);
      if (cutMs < wire.endMs) start = this.pause(wire, cutMs, txMs);
    }
    const end = start + txMs;
    if (end > this.busyUntilMs) this.busyUntilMs = end;
    this.record(start, end, wireBytes + acks);
    link.transmitted(bytes, wireBytes, end, txMs);
  }

  /**
   * Stops the message on the wire at `cutMs` for `gapMs` (a control message goes out in the gap) and
   * books the rest of it after; returns where the gap starts.
   */
  private pause(wire: OnWire, cutMs: number, gapMs: number): number {
    if (wire.pieceStartMs < cutMs) {
      // Close the piece sent so far (pro rata), unless the piece has not started (control messages ahead of it).
      const sentWire = ((cutMs - wire.pieceStartMs) / 1000) * this.upBytesPerSec;
      this.record(wire.pieceStartMs, cutMs, sentWire);
      wire.pieceWireBytes -= sentWire;
      wire.pieceStartMs = cutMs;
    }
    const gapStart = wire.pieceStartMs;
    wire.pieceStartMs += gapMs;
    wire.endMs += gapMs;
    this.busyUntilMs = wire.endMs;
    wire.event.fn = undefined;
    wire.event = this.scheduler.at(wire.endMs, this.finish);
    return gapStart;
  }

  private startNext(): void {
    const now = this.scheduler.now();
    if (this.busyUntilMs > now) {
      if (this.active.length > 0) this.wakeEvent = this.scheduler.at(this.busyUntilMs, this.wake);
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
    const onWireBytes = wireBytes + this.takeAckDebt(now);
    const end = now + (onWireBytes / this.upBytesPerSec) * 1000;
    this.busyUntilMs = end;
    this.onWire = { link, bytes, wireBytes, firstStartMs: now, pieceStartMs: now, pieceWireBytes: onWireBytes, endMs: end, event: this.scheduler.at(end, this.finish) };
  }

  private readonly finish = (): void => {
    const wire = this.onWire;
    if (wire === undefined) return;
    this.onWire = undefined;
    this.record(wire.pieceStartMs, wire.endMs, wire.pieceWireBytes);
    wire.link.dequeued(wire.bytes);
    wire.link.transmitted(wire.bytes, wire.wireBytes, wire.endMs, wire.endMs - wire.firstStartMs);
    this.startNext();
    wire.link.checkDrain();
  };

  private readonly wake = (): void => {
    this.wakeEvent = undefined;
    if (this.onWire === undefined) this.startNext();
  };

  private record(startMs: number, endMs: number, wireBytes: number): void {
    this.sentWireBytes += wireBytes;
    this.onTransmit?.(this, startMs, endMs, wireBytes);
  }
}
