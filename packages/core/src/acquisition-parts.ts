/** The settings of an acquisition, and the parts of it that its peer, urgent and HTTP paths share. */
import type { SegmentRef } from '@swarmcast/protocol';
import type { AcquisitionDeadlines } from './acquisition-deadlines.js';
import type { AcquisitionHost } from './acquisition-host.js';
import type { EngineConfig } from './config.js';
import type { FallbackReason } from './fallback-reason.js';
import type { AttemptOwner } from './peer-attempt.js';
import type { SegmentAssembly } from './segment-assembly.js';

export type AcquisitionConfig = Pick<
  EngineConfig,
  'httpSafetyMs' | 'minHttpSafetyMs' | 'lateSplitPaceShare' | 'relayHandoverAfterMs' | 'minP2pSlackMs' | 'busyRetryWaitMs' | 'maxAnnounceWaitMs' | 'p2pStallTimeoutMs' | 'httpFetchersPerSegment' | 'seederWaitMs' | 'urgentPeerWaitMs'
>;

/** One acquisition's state, in the parts its paths (acquisition.ts, urgent-source.ts, acquisition-http.ts) read and change. */
export interface AcquisitionParts {
  readonly ref: SegmentRef;
  readonly config: AcquisitionConfig;
  readonly host: AcquisitionHost;
  readonly signal: AbortSignal;
  readonly deadlines: AcquisitionDeadlines;
  readonly assembly: SegmentAssembly;
  readonly fallback: FallbackReason;
  /** What each request to a peer (askPeer) reads and changes of this acquisition. */
  readonly attemptOwner: AttemptOwner;
}
