/**
 * The flood attack: one FloodKind per round, each round under a fresh tracker identity (a viewer
 * bans the id it cut off, so a new id is the only way back in, as a real attacker would do).
 * Every kind starts the moment the channel opens, on every victim at once.
 */
import { LIMITS, PeerMessageCode, encodePeerMessage } from '@swarmcast/protocol';
import type { Behavior, VictimConnection } from './hostile-identity.js';
import type { SegmentFeed } from './segment-feed.js';

export const FLOOD_KINDS = [
  /** A valid HAVE before any HELLO. */
  'beforeHello',
  /** A frame with an unknown type code. */
  'unknownType',
  /** A HAVE cut one byte short. */
  'truncated',
  /** A DATA frame of the largest size a DataChannel carries, its payload above maxChunkBytes. */
  'oversized',
  /** DATA for a request the victim never made. */
  'unsolicitedData',
  /** REQUESTs far beyond maxUploadsPerPeer (and the control rate limit), as fast as the channel takes them. */
  'requestFlood',
  /** HAVEs far beyond the control rate limit. */
  'controlFlood',
] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];

/** Messages sent by the two floods (the engine allows 1000 control messages a second). */
const FLOOD_MESSAGES = 5_000;

export class FloodAttack implements Behavior {
  constructor(
    private readonly kind: FloodKind,
    private readonly feed: SegmentFeed,
  ) {}

  onOpen(conn: VictimConnection, identity: string): void {
    const rendition = this.feed.rendition;
    const sns = this.feed.list().map((s) => s.sn);
    const latest = sns[sns.length - 1] ?? 0;
    conn.log.variant = this.kind;
    if (this.kind === 'beforeHello') {
      conn.bad('HAVE before HELLO');
      conn.send({ type: 'have', rendition, sn: latest, sizeBytes: 100_000 });
      return;
    }
    conn.greet(identity, []);
    switch (this.kind) {
      case 'unknownType':
        conn.bad('frame with unknown type code 0xee');
        conn.sendRaw(Uint8Array.from([0xee, 0, 0, 0, 1]));
        return;
      case 'truncated': {
        const have = encodePeerMessage({ type: 'have', rendition, sn: latest, sizeBytes: 100_000 });
        conn.bad('HAVE cut one byte short');
        conn.sendRaw(have.subarray(0, have.length - 1));
        return;
      }
      case 'oversized':
        conn.bad(`DATA frame of ${LIMITS.maxPeerMessageBytes} bytes, payload above maxChunkBytes`);
        conn.sendRaw(oversizedData());
        return;
      case 'unsolicitedData':
        conn.bad('DATA for request 77, never made');
        conn.send({ type: 'data', requestId: 77, offsetBytes: 0, totalBytes: 1000, payload: new Uint8Array(1000) });
        return;
      case 'requestFlood':
        conn.bad(`${FLOOD_MESSAGES} REQUESTs at once`);
        for (let i = 1; i <= FLOOD_MESSAGES && !conn.closed; i++) {
          conn.send({ type: 'request', requestId: i, rendition, sn: sns[i % Math.max(1, sns.length)] ?? latest, offsetBytes: 0, withinMs: 60_000 });
        }
        conn.log.badSent = FLOOD_MESSAGES;
        return;
      case 'controlFlood':
        conn.bad(`${FLOOD_MESSAGES} HAVEs at once`);
        for (let i = 0; i < FLOOD_MESSAGES && !conn.closed; i++) conn.send({ type: 'have', rendition, sn: latest + 1000 + i, sizeBytes: 1 });
        conn.log.badSent = FLOOD_MESSAGES;
        return;
    }
  }

  onMessage(): void {
    // Whatever the victim answers (BUSY, ABSENT, DATA) changes nothing: the flood is already sent.
  }
}

/** DATA header (type, requestId, offset, total) + a payload filling the frame to the DataChannel limit. */
function oversizedData(): Uint8Array {
  const frame = new Uint8Array(LIMITS.maxPeerMessageBytes);
  const view = new DataView(frame.buffer);
  view.setUint8(0, PeerMessageCode.data);
  view.setUint32(1, 1);
  view.setUint32(5, 0);
  view.setUint32(9, 1024 * 1024);
  return frame;
}
