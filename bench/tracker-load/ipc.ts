/** Messages between the benchmark's parent process, the tracker child and the load workers (Node IPC). */

/** Which tracker a run measures. */
export type TrackerKind = 'swarmcast' | 'bittorrent-tracker';

/** Parent -> tracker child. */
export type ServerCommand = { readonly type: 'sample'; readonly gc: boolean } | { readonly type: 'close' };

/** One look at the tracker process, taken inside it. */
export interface ServerSample {
  readonly type: 'sample';
  /** performance.timeOrigin + performance.now() in the tracker, ms. */
  readonly atMs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** V8's committed heap (process.memoryUsage().heapTotal): RSS growth with heapUsed flat shows here when it is V8's. */
  readonly heapTotalBytes: number;
  /** heapTotalBytes by V8 space (v8.getHeapSpaceStatistics: new_space, old_space, code_space, ...). */
  readonly heapSpaceCommittedBytes: Readonly<Record<string, number>>;
  readonly externalBytes: number;
  /** process.cpuUsage() user + system since the tracker process started, in seconds. */
  readonly cpuSec: number;
  /** The system (kernel) part of cpuSec: on loopback it includes the TCP work of every send. */
  readonly cpuSystemSec: number;
  /** The tracker's event-loop delay since the previous sample (perf_hooks, 10 ms resolution), ms. */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Accepted connections (Swarmcast; null for bittorrent-tracker, which does not track them). */
  readonly connections: number | null;
  /** Refused input and dropped connections (Swarmcast's rejects by code; bittorrent-tracker's 'warning' events). */
  readonly errors: Readonly<Record<string, number>>;
  /** Signals the tracker relayed (Swarmcast only; null for bittorrent-tracker, which counts nothing). */
  readonly signalsRelayed: number | null;
  /** Cluster mode only (Swarmcast with Redis): this node's cross-node counters; null otherwise. */
  readonly cluster: ClusterCounters | null;
}

/** A cluster node's counters (a slice of the tracker's ClusterStats), all growing since its start. */
export interface ClusterCounters {
  readonly redisConnected: boolean;
  readonly redisErrors: number;
  /** Signals this node published to another node's channel. */
  readonly signalsSentRemote: number;
  /** Signals from other nodes this node handed to a local member. */
  readonly signalsDeliveredRemote: number;
  readonly signalsDroppedRemote: number;
  /** Peer lists answered from local members only because Redis failed. */
  readonly localFallbacks: number;
}

/** Tracker child -> parent. */
export type ServerReport = { readonly type: 'ready'; readonly port: number } | ServerSample;

/** What one load worker drives: a slice of the peers, all in one protocol. */
export interface WorkerPlan {
  readonly kind: TrackerKind;
  /**
   * Tracker ports on 127.0.0.1: one, or one per cluster node; peer `i` (global index) connects to
   * `ports[i % ports.length]`, as a round-robin load balancer would spread them.
   */
  readonly ports: readonly number[];
  /** Global index of this worker's first peer; peers are numbered across all workers. */
  readonly firstPeer: number;
  readonly peers: number;
  /** Peers per swarm (consecutive global indices share a swarm). */
  readonly swarmSize: number;
  /** Peers bound to one source address 127.0.0.k (one source IP has ~28k ephemeral ports). */
  readonly peersPerAddress: number;
  /** Handshakes in flight at once in this worker. */
  readonly connectConcurrency: number;
  /** Upper bound of each peer's exchange (offer + answer) rate. */
  readonly exchangesPerSecPerPeer: number;
  /** Each peer announces (Swarmcast `peers`, WebTorrent announce without offers) this often. */
  readonly announceIntervalMs: number;
  /** What the periodic announce is: a peer-list request, or (Swarmcast) a ping. */
  readonly heartbeat: 'peers' | 'ping';
  /** An exchange whose answer has not come back by then is counted lost. */
  readonly exchangeTimeoutMs: number;
  /** Length of the fake SDP in offers and answers. */
  readonly sdpBytes: number;
}

/** Parent -> worker. */
export type WorkerCommand =
  | { readonly type: 'plan'; readonly plan: WorkerPlan }
  /** Run exchanges for durationMs, replacing churnPerSec peers a second, then report. */
  | { readonly type: 'load'; readonly durationMs: number; readonly churnPerSec: number; readonly exchanges: boolean }
  | { readonly type: 'status' }
  | { readonly type: 'close' };

/** What a worker counted during one load window. */
export interface LoadReport {
  readonly type: 'load-done';
  /** Offers and answers that arrived at their addressee within the window. */
  readonly signalsRelayed: number;
  /** Announce replies that arrived within the window. */
  readonly announcesAnswered: number;
  readonly exchangesCompleted: number;
  readonly exchangesLost: number;
  /** Latency histogram counts (histogram.ts) of every relayed offer and answer. */
  readonly relayLatency: number[];
  /** Of signalsRelayed, those whose sender was connected to another tracker node than the addressee. */
  readonly crossNodeSignals: number;
  /** Latency histogram counts of the cross-node ones alone (a subset of relayLatency). */
  readonly crossNodeLatency: number[];
  readonly peersReplaced: number;
  /** This worker's own CPU (user + system) during the window, in seconds. */
  readonly cpuSec: number;
  /** Client-side errors by kind (socket errors, unexpected closes, tracker error messages). */
  readonly errors: Readonly<Record<string, number>>;
}

/** Worker -> parent. */
export type WorkerReport =
  | { readonly type: 'connected'; readonly open: number; readonly failed: number; readonly errors: Readonly<Record<string, number>> }
  | { readonly type: 'status'; readonly open: number; readonly errors: Readonly<Record<string, number>> }
  | LoadReport;
