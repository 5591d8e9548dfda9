/** The events an Engine emits (see Engine.on). */
import type { SegmentRef } from '@swarmcast/protocol';

/** The events an Engine emits, by name, with their listeners' signatures. */
export interface EngineEvents {
  'segment-acquired': (e: { ref: SegmentRef; source: 'http' | 'p2p'; sizeBytes: number; durationMs: number }) => void;
  'peer-connected': (e: { peerId: string }) => void;
  'peer-disconnected': (e: { peerId: string; reason: string }) => void;
  /** A connection's path broke (see PeerLinkEvents.interrupted): the peer gets no requests until it is back or closed. */
  'peer-interrupted': (e: { peerId: string }) => void;
  /** An interrupted connection works again; `restarted` when it took an ICE restart. */
  'peer-resumed': (e: { peerId: string; restarted: boolean }) => void;
  'tracker-connected': (e: { peerId: string }) => void;
  'tracker-disconnected': (e: { reason: string }) => void;
  /** A listener threw, or something went wrong that the engine survived. */
  error: (e: { error: unknown }) => void;
}
