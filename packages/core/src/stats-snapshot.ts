/** statsSnapshot(): Engine.stats(), the engine's counters with the live figures of its parts. */
import type { IntegrityGate } from './integrity-gate.js';
import type { PeerPool } from './peer-pool.js';
import type { EngineStats } from './stats.js';
import type { SwarmJoin } from './swarm-join.js';
import type { TimerLag } from './timer-lag.js';
import type { Wants } from './wants.js';

/** The engine's counters and the parts whose live figures join them in stats(). */
export interface StatsSources {
  readonly counters: EngineStats;
  readonly integrity: IntegrityGate;
  readonly pool: PeerPool;
  readonly timerLag: TimerLag;
  readonly swarmJoin: SwarmJoin;
  readonly wants: Wants;
}

/** A copy of the engine's stats the caller may keep: nested counters are copied too. */
export function statsSnapshot({ counters, integrity, pool, timerLag, swarmJoin, wants }: StatsSources): EngineStats {
  const r = integrity.records;
  return {
    ...counters,
    httpFetchReasons: { ...counters.httpFetchReasons },
    uploadRefusals: { ...counters.uploadRefusals },
    peerAttempts: { ...counters.peerAttempts },
    silencesExcused: { ...counters.silencesExcused },
    lateSplits: { ...counters.lateSplits },
    peers: pool.readyPeers().length,
    uplinkBytesPerSec: pool.measuredUplinkBytesPerMs === undefined ? null : Math.round(pool.measuredUplinkBytesPerMs * 1000),
    uploadPaceBytesPerSec: pool.delayPaceBytesPerMs === undefined ? null : Math.round(pool.delayPaceBytesPerMs * 1000),
    timerLagMs: Math.round(timerLag.ms),
    joinDelayMs: swarmJoin.joinedAfterMs === undefined ? null : Math.round(swarmJoin.joinedAfterMs),
    recordsRejected: r.rejected,
    hashMs: r.hashMs,
    segmentsHashed: r.segmentsHashed,
    signatureMs: r.signatureMs,
    signaturesChecked: r.signaturesChecked,
    segmentsVerified: integrity.segmentsVerified,
    segmentsUnverifiable: integrity.segmentsUnverifiable,
    vodListsFetched: integrity.vodListsFetched,
    liveRecordFetches: integrity.liveRecordFetches,
    liveRecordFetchFailures: integrity.liveRecordFetchFailures,
    wantsSent: wants.sent,
    wantsReceived: wants.received,
    wantFetches: wants.fetched,
    wantUrlMismatches: wants.urlMismatches,
  };
}
