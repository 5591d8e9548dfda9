/**
 * A whole world on virtual time: one clock, one memory network, one memory tracker, one origin
 * (shared resources behind a MemoryHttp per viewer), and engines or scripted peers joined to it.
 * Everything random comes from one seed, so a run replays exactly.
 */
import { nodeCrypto } from './node-crypto.ts';
import { Engine, type EngineConfig, type EngineStats, type SegmentRequest } from '../../src/index.ts';
import type { SegmentRef } from '@swarmcast/protocol';
import { MemoryHttp } from './memory-http.ts';
import { MemoryNetwork, type LinkProfile, type MemoryNode } from './memory-network.ts';
import { MemoryTracker } from './memory-tracker.ts';
import { rendezvousTop } from '../../src/rendezvous.ts';
import { ScriptedPeer } from './scripted-peer.ts';
import { SeededRandom } from './seeded-random.ts';
import { VirtualClock } from './virtual-clock.ts';

export const TEST_SWARM = 'swarm-test';
export const TEST_TRACKER_URL = 'ws://tracker.test/ws';

export interface TestbedOptions {
  readonly seed?: number | string;
  /** One-way peer link latency, ms. @default 20 */
  readonly latencyMs?: number;
  /** Per-direction peer link bandwidth, bytes/s. @default Infinity */
  readonly bandwidthBytesPerSec?: number;
  readonly profile?: (from: string, to: string) => Partial<LinkProfile> | undefined;
  /** Peer links fire `drain` when their buffer falls to this. @default 65536 */
  readonly lowWaterBytes?: number;
  /** Tracker one-way latency, ms. @default 10 */
  readonly trackerLatencyMs?: number;
  /** HTTP time to first byte, ms. @default 50 */
  readonly httpLatencyMs?: number;
  /** HTTP body rate per viewer, bytes/s. @default Infinity */
  readonly httpBandwidthBytesPerSec?: number;
  /** Config applied to every engine (each engine may override). */
  readonly engineConfig?: Partial<EngineConfig>;
}

/** One engine of the testbed with its ports and what it reported. */
export interface TestEngine {
  readonly name: string;
  readonly engine: Engine;
  readonly http: MemoryHttp;
  readonly node: MemoryNode;
  /** Owner label of its timers on the clock. */
  readonly clockOwner: string;
  readonly disconnects: { peerId: string; reason: string }[];
  readonly errors: unknown[];
}

export class Testbed {
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
  readonly network: MemoryNetwork;
  readonly tracker: MemoryTracker;
  readonly resources = new Map<string, Uint8Array>();
  readonly engines = new Map<string, TestEngine>();
  readonly scripted = new Map<string, ScriptedPeer>();
  /** Engines taken out by removeEngine(), with their stats at that moment. */
  readonly departed = new Map<string, { entry: TestEngine; stats: EngineStats }>();

  constructor(private readonly options: TestbedOptions = {}) {
    this.clock = new VirtualClock(1_000_000);
    this.random = new SeededRandom(options.seed ?? 1);
    this.network = new MemoryNetwork({
      clock: this.clock.view('network'),
      latencyMs: options.latencyMs ?? 20,
      bandwidthBytesPerSec: options.bandwidthBytesPerSec ?? Number.POSITIVE_INFINITY,
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.lowWaterBytes === undefined ? {} : { lowWaterBytes: options.lowWaterBytes }),
    });
    this.tracker = new MemoryTracker({ clock: this.clock.view('tracker'), latencyMs: options.trackerLatencyMs ?? 10 });
  }

  /** Creates and starts an engine on node `name`. */
  addEngine(name: string, config: Partial<EngineConfig> = {}, http: { latencyMs?: number; bandwidthBytesPerSec?: number } = {}): TestEngine {
    if (this.engines.has(name)) throw new Error(`Testbed: engine ${name} exists`);
    const clockOwner = `engine:${name}`;
    const clock = this.clock.view(clockOwner);
    const memoryHttp = new MemoryHttp({
      clock: this.clock.view(`http:${name}`),
      resources: this.resources,
      latencyMs: http.latencyMs ?? this.options.httpLatencyMs ?? 50,
      bandwidthBytesPerSec: http.bandwidthBytesPerSec ?? this.options.httpBandwidthBytesPerSec ?? Number.POSITIVE_INFINITY,
    });
    const node = this.network.node(name);
    const engine = new Engine(
      // Integrity is off unless a test turns it on (and then signs records: see integrity tests).
      // Engines join at start() (no player here to say it started) unless a test sets maxJoinDelayMs.
      { trackerUrl: TEST_TRACKER_URL, swarmId: TEST_SWARM, integrity: 'off', maxJoinDelayMs: 0, ...this.options.engineConfig, ...config },
      { clock, http: memoryHttp, connector: node, trackerSocket: this.tracker.socketFactory, random: this.random.fork(name), crypto: nodeCrypto },
    );
    const entry: TestEngine = { name, engine, http: memoryHttp, node, clockOwner, disconnects: [], errors: [] };
    engine.on('peer-disconnected', (e) => entry.disconnects.push(e));
    engine.on('error', (e) => entry.errors.push(e.error));
    engine.start();
    this.engines.set(name, entry);
    return entry;
  }

  /** Creates and starts a scripted peer on node `name`. */
  addScriptedPeer(name: string, options: { seeder?: boolean } = {}): ScriptedPeer {
    const peer = new ScriptedPeer({ network: this.network, tracker: this.tracker, swarmId: TEST_SWARM, name, ...options });
    peer.start();
    this.scripted.set(name, peer);
    return peer;
  }

  get(name: string): TestEngine {
    const entry = this.engines.get(name);
    if (!entry) throw new Error(`Testbed: no engine ${name}`);
    return entry;
  }

  /** Puts a segment of `sizeBytes` seeded random bytes at the origin; returns its URL and bytes. */
  publish(ref: SegmentRef, sizeBytes: number): { url: string; bytes: Uint8Array } {
    const url = segmentUrl(ref);
    const bytes = this.random.fork(`segment/${ref.rendition}/${ref.sn}`).bytes(sizeBytes);
    this.resources.set(url, bytes);
    return { url, bytes };
  }

  /** A segment request for `ref` (published before), due `inMs` from now. */
  request(ref: SegmentRef, inMs: number, signal?: AbortSignal): SegmentRequest {
    return { ref, url: segmentUrl(ref), deadlineMs: this.clock.now() + inMs, ...(signal ? { signal } : {}) };
  }

  /** Advances virtual time until every engine's tracker id is known and each has `peers` ready peers. */
  async connectAll(peers = this.engines.size - 1, maxMs = 10_000): Promise<void> {
    const limit = this.clock.now() + maxMs;
    const ready = (): boolean =>
      [...this.engines.values()].every((e) => e.engine.peerId !== undefined && e.engine.connectedPeerIds().length >= peers);
    while (!ready()) {
      if (this.clock.now() >= limit) {
        const state = [...this.engines.values()].map((e) => `${e.name}:${e.engine.connectedPeerIds().length}`).join(' ');
        throw new Error(`Testbed.connectAll: not connected after ${maxMs} ms (${state})`);
      }
      await this.clock.advance(10);
    }
  }

  /** Tracker-assigned id of an engine (fails if it has none yet). */
  idOf(name: string): string {
    const id = this.get(name).engine.peerId;
    if (id === undefined) throw new Error(`Testbed: ${name} has no tracker id yet`);
    return id;
  }

  /**
   * Takes an engine out: 'leave' destroys it (links closed, tracker told); 'crash' first turns its
   * links into black holes that its peers only notice after `detectAfterMs`, then destroys it.
   * Its final stats stay in `departed`.
   */
  removeEngine(name: string, how: 'leave' | 'crash' = 'leave', detectAfterMs = 10_000): void {
    const entry = this.get(name);
    if (how === 'crash') entry.node.vanish(detectAfterMs);
    this.departed.set(name, { entry, stats: entry.engine.stats() });
    entry.engine.destroy();
    this.engines.delete(name);
  }

  /** Every engine ever added, present or departed. */
  allEngines(): TestEngine[] {
    return [...this.engines.values(), ...[...this.departed.values()].map((d) => d.entry)];
  }

  /** Stats of every engine ever added (departed ones as they were when they left). */
  allStats(): EngineStats[] {
    return [...[...this.engines.values()].map((e) => e.engine.stats()), ...[...this.departed.values()].map((d) => d.stats)];
  }

  destroyAll(): void {
    for (const e of this.engines.values()) e.engine.destroy();
    for (const p of this.scripted.values()) p.stop();
  }
}

/**
 * The first sn from `fromSn` of `rendition` whose single HTTP fetcher, by rendezvous over the engines
 * `among` (every one announcing no upload, fewer than peersPerHttpFetcher: one fetcher per segment),
 * is `fetcher`.
 */
export function firstSnFetchedBy(bed: Testbed, among: readonly string[], fetcher: string, rendition: string, fromSn: number): number {
  const ids = among.map((name) => ({ id: bed.get(name).engine.instanceId, weight: 1 }));
  const id = bed.get(fetcher).engine.instanceId;
  let sn = fromSn;
  while (rendezvousTop(ids, `${rendition}/${String(sn)}`, 1)[0] !== id) sn++;
  return sn;
}

/** Where the origin serves a segment. */
export function segmentUrl(ref: SegmentRef): string {
  return `https://cdn.test/${ref.rendition}/seg-${ref.sn}.ts?token=abc`;
}

/** Segment bytes equal? */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
