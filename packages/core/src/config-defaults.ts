/** The defaults of EngineConfig (each also stated in the field's TSDoc). */
import type { EngineConfig } from './config.js';

/** Every setting of EngineConfig at its default. */
export const engineDefaults: EngineConfig = {
  trackerUrl: '',
  trackerUrls: [],
  swarmId: '',
  maxPeers: 16,
  minPeers: 4,
  connectTimeoutMs: 10_000,
  peerRefillIntervalMs: 5_000,
  failedConnectRetryMs: 30_000,
  uploadKbps: 0,
  chunkBytes: 4 * 1024, // 4 KiB: see the TSDoc
  sendHighWaterBytes: 1024 * 1024, // 1 MiB
  maxUploadsPerPeer: 4,
  uploadSlots: 1,
  uploadCapBytesPerSec: 0,
  uploadDelayTargetMs: 100,
  group: undefined,
  storeBudgetBytes: 64 * 1024 * 1024, // 64 MiB
  httpFetchersPerSegment: 3,
  peersPerHttpFetcher: 8,
  maxAnnounceWaitMs: 3_000,
  httpSafetyMs: 1_500,
  minHttpSafetyMs: 500,
  minP2pSlackMs: 2_000,
  busyRetryWaitMs: 300,
  seederWaitMs: 400,
  expectSeeder: false,
  urgentPeerWaitMs: 400,
  lateSplitPaceShare: 0,
  relayHandoverAfterMs: 250,
  seeder: false,
  p2pStallTimeoutMs: 1_500,
  silentPeerVerdictMs: 10_000,
  partHttpSafetyMs: 300,
  partMinP2pSlackMs: 600,
  uploadAdmissionDelayMs: 250,
  uploadCommitMs: 1_500,
  prefetchNext: true,
  integrity: 'required',
  integrityPublicKeys: [],
  integrityListUrl: undefined,
  integrityRecordsUrl: undefined,
  maxRecords: 8192,
  maxJoinDelayMs: 2_000,
  trackerReconnectBaseMs: 1_000,
  trackerReconnectMaxMs: 20_000,
  joinToken: undefined,
  summaryIntervalMs: 5_000,
  httpThroughputHalfLifeMs: 6_000,
  timerLagHalfLifeMs: 5_000,
};

/** seederWaitMs's default with expectSeeder. */
export const EXPECT_SEEDER_WAIT_MS = 1_200;
