/**
 * How the page gets segment bytes: through Swarmcast (P2P with HTTP fallback) or plain hls.js
 * (the baseline). Either way it reports byte counters and records every segment it hands to hls.js.
 */
import type Hls from 'hls.js';
import type { HlsConfig } from 'hls.js';
import type { IntegrityFigures, LinkFigures, PeerDisconnect, PeerPathEvent, SeederFigures, TrackerEvent } from './viewer-report.js';

export interface DeliveryStats {
  readonly httpBytes: number;
  readonly p2pBytes: number;
  readonly uploadedBytes: number;
  readonly controlBytes: number;
  readonly peers: number;
  readonly peerId: string | null;
  readonly disconnects: readonly PeerDisconnect[];
  readonly trackerEvents: readonly TrackerEvent[];
  readonly pathEvents: readonly PeerPathEvent[];
  readonly links: LinkFigures;
  readonly integrity: IntegrityFigures;
  /** See ViewerReport.httpFetchReasons. */
  readonly httpFetchReasons: Readonly<Record<string, number>> | null;
  /** See ViewerReport.seeder. */
  readonly seeder: SeederFigures | null;
  /** See ViewerReport.silencesExcused. */
  readonly silencesExcused: Readonly<Record<string, number>> | null;
  /** See ViewerReport.uploadRefusals. */
  readonly uploadRefusals: Readonly<Record<string, number>> | null;
  /** See ViewerReport.peerAttempts. */
  readonly peerAttempts: Readonly<Record<string, number>> | null;
  /** See ViewerReport.lateSplits. */
  readonly lateSplits: Readonly<Record<string, number>> | null;
  /** See ViewerReport.wants. */
  readonly wants: Readonly<Record<string, number>> | null;
  /** See ViewerReport.controlBytesByType. */
  readonly controlBytesByType: Readonly<Record<string, number>> | null;
  /** See ViewerReport.uplinkBytesPerSec. */
  readonly uplinkBytesPerSec: number | null;
  /** See ViewerReport.uploadPaceBytesPerSec. */
  readonly uploadPaceBytesPerSec: number | null;
  /** See ViewerReport.timerLagMs. */
  readonly timerLagMs: number | null;
  /** See ViewerReport.joinDelayMs. */
  readonly joinDelayMs: number | null;
}

/** The link figures of a delivery without P2P. */
export const NO_LINKS: LinkFigures = { interruptions: 0, recoveries: 0, restarts: 0, interruptedClosed: 0 };

/** The figures of a delivery without P2P. */
export const NO_INTEGRITY: IntegrityFigures = {
  segmentsVerified: 0,
  integrityFailures: 0,
  peerViolations: 0,
  hashMs: 0,
  segmentsHashed: 0,
  signatureMs: 0,
  signaturesChecked: 0,
  liveRecordFetches: 0,
  recordsRejected: 0,
};

export interface Delivery {
  /** Config to spread into `new Hls(...)`: the loaders. */
  readonly hlsConfig: Partial<HlsConfig>;
  /** Called once, right after `new Hls(...)` and before loadSource/attachMedia. */
  attach(hls: Hls): void;
  stats(): DeliveryStats;
  /** Idempotent. */
  destroy(): void;
}
