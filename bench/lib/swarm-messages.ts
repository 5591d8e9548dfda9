/** What bench:swarm's parent and its peer processes say to each other over the IPC channel. */
import type { PeerFigures } from './swarm-peer-figures.js';
import type { ProcessFigures } from './swarm-process-sampler.js';

/** Parent -> child: the peers this process runs and how. */
export interface StartMessage {
  readonly type: 'start';
  readonly masterUrl: string;
  readonly trackerUrl: string;
  /** Peer numbers and when each joins, ms after this message arrives. */
  readonly peers: readonly { readonly i: number; readonly joinAtMs: number }[];
  /** Each peer plays this long from its join, then leaves. */
  readonly playMs: number;
  /** Engine maxPeers (mesh degree) and minPeers of every peer. */
  readonly maxPeers: number;
  readonly minPeers: number;
  readonly liveSyncSegments: number;
}

/** Parent -> child: stop every peer now and report (peers not yet joined never start). */
export interface StopMessage {
  readonly type: 'stop';
}

export type ParentMessage = StartMessage | StopMessage;

/** Child -> parent. */
export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly joined: number; readonly finished: number; readonly p2pBytes: number; readonly httpBytes: number }
  | {
      readonly type: 'result';
      readonly peers: readonly PeerFigures[];
      /** [sn, bytes] of every segment a peer of this process loaded (one copy each). */
      readonly segmentSizes: readonly (readonly [number, number])[];
      readonly process: ProcessFigures;
    };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The message, if it has a known type; undefined otherwise (ignored by the receiver). */
export function asChildMessage(raw: unknown): ChildMessage | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.type === 'ready') return { type: 'ready' };
  if (raw.type === 'progress' && typeof raw.joined === 'number' && typeof raw.finished === 'number') return raw as unknown as ChildMessage;
  if (raw.type === 'result' && Array.isArray(raw.peers) && Array.isArray(raw.segmentSizes) && isObject(raw.process)) return raw as unknown as ChildMessage;
  return undefined;
}

export function asParentMessage(raw: unknown): ParentMessage | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.type === 'stop') return { type: 'stop' };
  if (raw.type === 'start' && typeof raw.masterUrl === 'string' && typeof raw.trackerUrl === 'string' && Array.isArray(raw.peers) && typeof raw.playMs === 'number') {
    return raw as unknown as StartMessage;
  }
  return undefined;
}
