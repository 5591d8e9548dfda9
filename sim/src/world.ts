/**
 * One simulated run: builds the network, tracker, origin and stream, starts a real Engine and a
 * live player for every session when it joins, takes them out when they leave (destroy() or crash),
 * runs the event loop to the end and gathers what every part counted.
 */
import { Engine, type EngineConfig, type EngineStats, type RandomPort, type TimerHandle } from '@swarmcast/core';
import { nodeCrypto } from '../../packages/core/test/support/node-crypto.ts';
import { SeededRandom } from '../../packages/core/test/support/seeded-random.ts';
import type { Host, TransmitHook } from './host.ts';
import { LivePlayer, type SessionRecord } from './live-player.ts';
import { LiveStream } from './live-stream.ts';
import { SimNetwork, type NetworkCounters } from './network.ts';
import { SimOrigin } from './origin.ts';
import type { ScenarioParams } from './params.ts';
import { Scheduler } from './scheduler.ts';
import { planSessions, type SessionPlan } from './sessions.ts';
import { SimTracker } from './tracker.ts';

const SWARM_ID = 'sim';
const TRACKER_URL = 'wss://tracker.sim/ws';
/** The browser transport's bufferedAmountLowThreshold before the engine sets one (packages/browser rtc-connector). */
const LOW_WATER_BYTES = 4 * 1024;
const PROGRESS_EVERY_MS = 10_000;

export interface RunHooks {
  /** Every uplink transmission (for capacity tests). */
  readonly onTransmit?: TransmitHook;
  /** A progress line every 10 simulated seconds. */
  readonly progress?: (line: string) => void;
  /** Each engine as its session starts (for diagnostics). */
  readonly onJoin?: (engine: Engine, plan: SessionPlan, host: Host) => void;
}

export interface RunOutcome {
  readonly params: ScenarioParams;
  readonly sessions: readonly SessionRecord[];
  /** Sum over every engine of its stats (departed ones as they were when they left). */
  readonly engineTotals: Record<string, number>;
  readonly engineErrors: number;
  /** Peer disconnections by reason, numbers and segment keys masked (e.g. 'protocol violation: no data for # in # ms after announcing it as held'). */
  readonly disconnectReasons: Record<string, number>;
  readonly network: NetworkCounters;
  readonly origin: { egressBytes: number; requests: number; rangeRequests: number; aborted: number; failed: number };
  readonly tracker: { messagesIn: number; messagesOut: number; signalsRelayed: number; rejected: number };
  readonly segmentBytes: number;
  readonly distinctSegments: number;
  readonly events: number;
  readonly callbackErrors: readonly string[];
  readonly callbackErrorCount: number;
  readonly wallSec: number;
  readonly cpuSec: number;
}

interface Viewer {
  readonly plan: SessionPlan;
  readonly engine: Engine;
  readonly player: LivePlayer;
  readonly host: Host;
  /** The next swing of its uplink, when uplinks swing (ScenarioParams.uplinkSwing). */
  swing: TimerHandle;
}

/** How long an uplink keeps one share of its capacity when it swings, ms (uniform in this range). */
const SWING_MIN_MS = 1_000;
const SWING_MAX_MS = 4_000;

/** Sets the share of its capacity `host`'s uplink carries now and books the next change (see ScenarioParams.uplinkSwing). */
function swingUplink(viewer: Viewer, minShare: number, random: RandomPort, scheduler: Scheduler): void {
  // Log-uniform: every halving within [minShare, 1] is as likely as any other.
  viewer.host.setUplinkShare(minShare ** random.random());
  viewer.swing = scheduler.setTimeout(() => swingUplink(viewer, minShare, random, scheduler), SWING_MIN_MS + random.random() * (SWING_MAX_MS - SWING_MIN_MS));
}

/** Engine settings in bytes hold scaled bytes: the engine sees segments byteScale times smaller. */
function engineConfig(params: ScenarioParams, stream: LiveStream, uploadMultiple: number): Partial<EngineConfig> {
  const scale = params.byteScale;
  const overrides: Record<string, number> = {};
  for (const [key, value] of Object.entries(params.engine)) overrides[key] = key.endsWith('Bytes') ? Math.round(value / scale) : value;
  return {
    trackerUrl: TRACKER_URL,
    swarmId: SWARM_ID,
    integrity: 'off',
    uploadKbps: params.announceUpload === 'capacity' ? Math.round(uploadMultiple * params.bitrateKbps) : 0,
    chunkBytes: Math.round(params.chunkBytes / scale),
    sendHighWaterBytes: Math.round((1024 * 1024) / scale),
    storeBudgetBytes: params.storeSegments * stream.body.length,
    ...overrides,
  };
}

/** Sums an engine's counters into `totals`; nested counters (HTTP reasons, refusals) as `outer.inner`. */
function addStats(totals: Record<string, number>, stats: EngineStats): void {
  for (const [key, value] of Object.entries(stats)) {
    if (typeof value === 'number') totals[key] = (totals[key] ?? 0) + value;
    else if (typeof value === 'object' && value !== null) {
      for (const [inner, n] of Object.entries(value as object)) if (typeof n === 'number') totals[`${key}.${inner}`] = (totals[`${key}.${inner}`] ?? 0) + n;
    }
  }
}

export async function runScenario(params: ScenarioParams, hooks: RunHooks = {}): Promise<RunOutcome> {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const rng = new SeededRandom(params.seed);
  const scheduler = new Scheduler();
  const bitrateBytesPerSec = (params.bitrateKbps * 1000) / 8;
  const stream = new LiveStream(params.bitrateKbps, params.segmentSec, params.byteScale);
  const network = new SimNetwork({
    scheduler,
    random: rng.fork('network'),
    rttMinMs: params.rttMinMs,
    rttMaxMs: params.rttMaxMs,
    loss: params.loss,
    byteScale: params.byteScale,
    lowWaterBytes: LOW_WATER_BYTES,
    crashDetectMs: params.crashDetectSec * 1000,
    transportOverhead: params.transportOverhead,
    ...(hooks.onTransmit ? { onTransmit: hooks.onTransmit } : {}),
  });
  const tracker = new SimTracker({ scheduler, random: rng.fork('tracker'), swarmId: SWARM_ID, maxPeersInList: params.trackerPeerList });
  const trackerPos = rng.fork('tracker-position').random();
  const origin = new SimOrigin({
    scheduler,
    stream,
    random: rng.fork('origin'),
    ttfbMinMs: params.originTtfbMinMs,
    ttfbMaxMs: params.originTtfbMaxMs,
    cdnBytesPerSec: (params.cdnMbps * 1e6) / 8,
    byteScale: params.byteScale,
  });
  const playerRandom = rng.fork('players');
  const viewers = new Map<number, Viewer>();
  const sessions: SessionRecord[] = [];
  const engineTotals: Record<string, number> = {};
  let engineErrors = 0;
  const disconnectReasons: Record<string, number> = {};

  const join = (plan: SessionPlan): void => {
    const host = network.addHost(plan.uploadMultiple * bitrateBytesPerSec, params.downloadMultiple * bitrateBytesPerSec);
    const engine = new Engine(engineConfig(params, stream, plan.uploadMultiple), {
      clock: scheduler,
      http: origin.portFor(host),
      connector: network.connectorFor(host),
      trackerSocket: tracker.socketFactoryFor(host, network.latencyAt(host.ringPos, trackerPos)),
      random: rng.fork(`peer${plan.index}`),
      crypto: nodeCrypto,
    });
    engine.on('error', () => (engineErrors += 1));
    engine.on('peer-disconnected', ({ reason }) => {
      const key = reason.replace(/\S*\d\S*/g, '#');
      disconnectReasons[key] = (disconnectReasons[key] ?? 0) + 1;
    });
    const ttfb = params.originTtfbMinMs + playerRandom.random() * (params.originTtfbMaxMs - params.originTtfbMinMs);
    const player = new LivePlayer(engine, stream, scheduler, playerRandom.random() * stream.segmentMs, ttfb);
    sessions.push(player.record);
    const viewer: Viewer = { plan, engine, player, host, swing: undefined };
    viewers.set(plan.index, viewer);
    if (params.uplinkSwing > 0) swingUplink(viewer, params.uplinkSwing, rng.fork(`swing${plan.index}`), scheduler);
    hooks.onJoin?.(engine, plan, host);
    engine.start();
    player.start();
  };

  const leave = (viewer: Viewer, crash: boolean): void => {
    viewers.delete(viewer.plan.index);
    if (params.uplinkSwing > 0) scheduler.clearTimeout(viewer.swing);
    viewer.player.stop(true);
    if (crash) {
      network.crash(viewer.host);
      tracker.crashed(viewer.host);
    }
    viewer.engine.destroy();
    addStats(engineTotals, viewer.engine.stats());
  };

  const durationMs = params.durationSec * 1000;
  for (const plan of planSessions(params, rng.fork('sessions'))) {
    scheduler.at(plan.joinMs, () => join(plan));
    if (plan.leaveMs !== undefined) {
      const leaveMs = plan.leaveMs;
      scheduler.at(leaveMs, () => {
        const viewer = viewers.get(plan.index);
        if (viewer) leave(viewer, plan.crash);
      });
    }
  }
  if (hooks.progress) {
    const progress = hooks.progress;
    const tick = (): void => {
      const wall = (performance.now() - wallStart) / 1000;
      const heapMb = process.memoryUsage().heapUsed / 1e6;
      progress(
        `t=${(scheduler.now() / 1000).toFixed(0)}s wall=${wall.toFixed(1)}s viewers=${viewers.size} members=${tracker.memberCount} ` +
          `events=${scheduler.fired} pending=${scheduler.pendingEvents} heap=${heapMb.toFixed(0)}MB`,
      );
      scheduler.setTimeout(tick, PROGRESS_EVERY_MS);
    };
    scheduler.setTimeout(tick, PROGRESS_EVERY_MS);
  }
  await scheduler.run(durationMs);

  for (const viewer of viewers.values()) {
    viewer.player.stop(false);
    addStats(engineTotals, viewer.engine.stats());
  }
  for (const viewer of viewers.values()) viewer.engine.destroy();
  viewers.clear();
  const cpu = process.cpuUsage(cpuStart);
  return {
    params,
    sessions,
    engineTotals,
    engineErrors,
    disconnectReasons,
    network: { ...network.counters },
    origin: { egressBytes: origin.egressBytes, requests: origin.requests, rangeRequests: origin.rangeRequests, aborted: origin.aborted, failed: origin.failed },
    tracker: { messagesIn: tracker.messagesIn, messagesOut: tracker.messagesOut, signalsRelayed: tracker.signalsRelayed, rejected: tracker.rejected },
    segmentBytes: stream.segmentBytes,
    distinctSegments: countDistinct(sessions),
    events: scheduler.fired,
    callbackErrors: scheduler.errors.map((e) => (e instanceof Error ? (e.stack ?? e.message) : String(e))),
    callbackErrorCount: scheduler.errorCount,
    wallSec: (performance.now() - wallStart) / 1000,
    cpuSec: (cpu.user + cpu.system) / 1e6,
  };
}

/** Distinct segments loaded by anyone: the union of every session's (contiguous) range. */
function countDistinct(sessions: readonly SessionRecord[]): number {
  const ranges = sessions.flatMap((s) => (s.firstSn === undefined || s.lastSn === undefined ? [] : [[s.firstSn, s.lastSn] as const]));
  ranges.sort((a, b) => a[0] - b[0]);
  let count = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [lo, hi] of ranges) {
    if (hi <= end) continue;
    count += hi - Math.max(lo, end + 1) + 1;
    end = hi;
  }
  return count;
}
