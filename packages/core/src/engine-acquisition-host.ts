/** The engine's AcquisitionHost: how each acquisition reaches the engine's parts and counters. */
import type { SegmentRef } from '@swarmcast/protocol';
import type { AcquisitionHost } from './acquisition-host.js';
import type { AnnounceWaiters } from './announce-waiters.js';
import type { EngineConfig } from './config.js';
import type { HttpFetchTime, HttpThroughput } from './http-throughput.js';
import type { IntegrityGate } from './integrity-gate.js';
import type { PeerPool } from './peer-pool.js';
import type { Clock, HttpPort } from './ports.js';
import type { SeederWatch } from './seeder-watch.js';
import { segmentKey } from './segment-id.js';
import type { SourceChoice } from './source-choice.js';
import { countPeerAttempt, type EngineStats } from './stats.js';
import type { SwarmJoin } from './swarm-join.js';
import type { TimerLag } from './timer-lag.js';

/** The engine's parts an AcquisitionHost is made of. */
export interface AcquisitionHostParts {
  readonly clock: Clock;
  readonly http: HttpPort;
  readonly config: Pick<EngineConfig, 'seeder'>;
  readonly counters: EngineStats;
  readonly seeders: SeederWatch;
  readonly sources: SourceChoice;
  readonly pool: PeerPool;
  readonly integrity: IntegrityGate;
  readonly announceWaiters: AnnounceWaiters;
  readonly httpThroughput: HttpThroughput;
  readonly httpFetchTime: HttpFetchTime;
  readonly timerLag: TimerLag;
  readonly swarmJoin: Pick<SwarmJoin, 'joining' | 'trackerComing'>;
  isDestroyed(): boolean;
  /** See AcquisitionHost.isDesignatedFetcher. */
  isDesignatedFetcher(ref: SegmentRef): boolean;
  /** See AcquisitionHost.downloading. */
  downloading(ref: SegmentRef): void;
}

/** The AcquisitionHost every acquisition of the engine gets. */
export function createAcquisitionHost(parts: AcquisitionHostParts): AcquisitionHost {
  const { clock, config, counters, seeders, sources, pool, integrity, announceWaiters, httpThroughput, httpFetchTime, timerLag, swarmJoin } = parts;
  return {
    clock,
    http: parts.http,
    // A seeder is the swarm's first copy: it never waits for another.
    seederHolding: (ref, untilMs, signal) => (config.seeder ? Promise.resolve(undefined) : seeders.holding(ref, untilMs, signal)),
    countSeederAttempt: (elapsedMs, delivered) => {
      counters.seederAttempts += 1;
      if (delivered) counters.seederDeliveries += 1;
      counters.seederWaitMs += elapsedMs;
    },
    urgentHolder: (ref) => {
      const key = segmentKey(ref);
      return sources.candidates(ref, new Set()).find((p) => p.stateOfKey(key) === 'have' && p.lateDeliveries === 0);
    },
    countUrgentAttempt: (delivered) => {
      counters.urgentPeerAttempts += 1;
      if (delivered) counters.urgentPeerDeliveries += 1;
    },
    candidates: (ref, exclude) => sources.candidates(ref, exclude),
    handoverHolder: (ref, exclude, restBytes, withinMs) => sources.handoverHolder(ref, exclude, restBytes, withinMs),
    isDesignatedFetcher: (ref) => parts.isDesignatedFetcher(ref),
    waitForAnnouncement: (ref, untilMs, signal, blame = true) =>
      announceWaiters.wait(segmentKey(ref), untilMs, signal, () => {
        if (!parts.isDestroyed() && blame) sources.blame(ref);
      }),
    connecting: () => swarmJoin.joining(),
    downloading: (ref) => {
      parts.downloading(ref);
    },
    countBytes: (kind, bytes) => {
      if (kind === 'http') counters.httpBytes += bytes;
      else counters.p2pBytes += bytes;
    },
    httpSample: (bytes, elapsedMs, whole) => {
      httpThroughput.sample(bytes, elapsedMs);
      if (whole) httpFetchTime.sample(elapsedMs);
    },
    httpFetchMs: () => httpFetchTime.ms,
    timerLagMs: () => timerLag.ms,
    countFallback: () => (counters.p2pFallbacks += 1),
    countLateSplit: (kind, amount) => (counters.lateSplits[kind] += amount),
    countPeerAttempt: (outcome, withinMs, detail) => {
      countPeerAttempt(counters.peerAttempts, outcome, withinMs, detail);
    },
    countHttpFetch: (reason, afterSeeder) => {
      counters.httpFetchReasons[reason] += 1;
      if (afterSeeder) counters.httpFetchesAfterSeeder += 1;
    },
    isSeeder: (peer) => seeders.isSeeder(peer),
    progress: (ref) => {
      pool.progress(ref);
    },
    // The integrity keys and records come with the tracker's answer: a joiner's loads may wait for it.
    p2pAllowed: (ref) => integrity.p2pAllowed(ref) || swarmJoin.trackerComing(),
    verify: (ref, bytes, untilMs, signal) => integrity.verify(ref, bytes, untilMs, signal),
    rejectPeers: (peers, ref) => {
      for (const peer of peers) {
        counters.integrityFailures += 1;
        peer.close(`integrity violation: bytes of ${segmentKey(ref)} do not match the signed record`);
      }
    },
  };
}
