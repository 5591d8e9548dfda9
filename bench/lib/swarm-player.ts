/**
 * One simulated player of bench:swarm: a real Engine (@swarmcast/core) on the Node ports
 * (node-datachannel WebRTC, ws tracker client), with default engine settings, driven the way hls.js
 * drives the fLoader: it reads the live media playlist (every target duration, half that when it did
 * not change), starts `liveSyncSegments` behind the live edge, loads one segment at a time in order
 * through engine.loadSegment with the deadline its simulated buffer gives (PlaybackBuffer), and plays
 * at 1x. Segment durations are the playlist's target duration (the loop stream's segments all last it).
 */
import { Engine, type EngineConfig, type EngineStats } from '@swarmcast/core';
import { swarmIdFromUrl } from '@swarmcast/integrity';
import { createNodePorts, fetchPlaylist, isAborted, sleep, type NodeRtcConnector } from '@swarmcast/node';
import { renditionIdFromUrl } from '@swarmcast/protocol';
import type { LoopHolds } from './swarm-loop-holds.js';
import { PlaybackBuffer } from './swarm-playback.js';
import { peerFigures, type PeerFigures, type SegmentTally } from './swarm-peer-figures.js';

export interface SwarmPlayerOptions {
  readonly masterUrl: string;
  readonly trackerUrl: string;
  /** Engine settings over the defaults (the bench sets only maxPeers/minPeers). */
  readonly engine: Partial<EngineConfig>;
  /** Segments behind the live edge playback starts at (hls.js liveSyncDurationCount). */
  readonly liveSyncSegments: number;
  /** When this process's event loop was held: stall time within it is counted apart. */
  readonly holds?: LoopHolds;
}

/** Playlist reads: size cap and timeout. */
const PLAYLIST_LIMITS = { maxBytes: 256 * 1024, timeoutMs: 5_000 } as const;
/** Wait after a failed playlist read, ms. */
const PLAYLIST_RETRY_MS = 1_000;
/** Attempts per segment before it is given up (counted as failed). */
const SEGMENT_ATTEMPTS = 3;
/** (sn, first seen) pairs kept for the end-of-run count: enough for the grace period. */
const SEEN_KEPT = 32;

interface ListedSegment {
  readonly sn: number;
  readonly url: string;
}

export class SwarmPlayer {
  private readonly engine: Engine;
  private readonly connector: NodeRtcConnector;
  private readonly lifetime = new AbortController();
  private readonly playback: PlaybackBuffer;
  private readonly tally: SegmentTally = { http: 0, p2p: 0, failed: 0, skipped: 0 };
  private readonly loadedSns: number[] = [];
  private readonly seen: { sn: number; atMs: number }[] = [];
  private listed = new Map<number, ListedSegment>();
  private firstListedSn = 0;
  private rendition = '';
  private segmentSec = 2;
  private startSn: number | undefined;
  private nextSn: number | undefined;
  private wake: (() => void) | undefined;
  private peersSeenMax = 0;
  private readonly errors: string[] = [];
  /** Why the engine closed its peer connections (opened or not), by reason. */
  private readonly closeReasons: Record<string, number> = {};
  private running: Promise<unknown> | undefined;
  private result: Promise<PeerFigures> | undefined;

  constructor(
    readonly index: number,
    private readonly options: SwarmPlayerOptions,
    /** Called with each segment loaded (for the swarm's one-copy byte count). */
    private readonly onSegment: (sn: number, bytes: number) => void,
  ) {
    this.playback = new PlaybackBuffer(performance.now());
    const ports = createNodePorts({ bindAddress: '127.0.0.1' });
    this.connector = ports.connector;
    this.engine = new Engine({ ...options.engine, trackerUrl: options.trackerUrl, swarmId: swarmIdFromUrl(options.masterUrl) }, ports);
    this.engine.on('error', (e) => { this.noteError(e.error); });
    this.engine.on('peer-disconnected', (e) => {
      // Segment keys and times in a reason (a violation's) become '#', so reasons group; bounded.
      const reason = e.reason.replace(/\S*\d\S*/g, '#').slice(0, 80);
      if (reason in this.closeReasons || Object.keys(this.closeReasons).length < 16) this.closeReasons[reason] = (this.closeReasons[reason] ?? 0) + 1;
    });
  }

  /** The engine's counters now (for progress lines). */
  engineStats(): EngineStats {
    return this.engine.stats();
  }

  start(): void {
    if (this.running !== undefined) return;
    this.engine.start();
    const signal = this.lifetime.signal;
    this.running = Promise.all([this.follow(signal), this.load(signal)]);
  }

  /** Stops (idempotent) and returns the figures as of now. */
  stop(): Promise<PeerFigures> {
    this.result ??= (async () => {
      const endMs = performance.now();
      const stats = this.engine.stats();
      const links = this.connector.links();
      this.lifetime.abort();
      this.wake?.();
      await this.running;
      this.engine.destroy();
      const lastExpectedSn = this.lastExpectedSn(endMs);
      return peerFigures({
        index: this.index,
        playback: this.playback.figures(endMs),
        stalledWhileHeldMs: Math.round(this.options.holds?.overlapMs(this.playback.stallSpansUntil(endMs)) ?? 0),
        stats,
        tally: this.tally,
        startSn: this.startSn ?? null,
        lastExpectedSn,
        received: lastExpectedSn === null ? 0 : this.loadedSns.filter((sn) => sn <= lastExpectedSn).length,
        peersMax: this.peersSeenMax,
        links,
        closeReasons: this.closeReasons,
        errors: this.errors,
      });
    })();
    return this.result;
  }

  /** The last segment a player should have by `endMs`: listed at least 3 segment durations before it. */
  private lastExpectedSn(endMs: number): number | null {
    const graceMs = 3 * this.segmentSec * 1000;
    let last: number | null = null;
    for (const s of this.seen) if (s.atMs <= endMs - graceMs) last = s.sn;
    return last;
  }

  /** Reads the master once, then the media playlist until stopped. */
  private async follow(signal: AbortSignal): Promise<void> {
    let mediaUrl: string | undefined;
    while (mediaUrl === undefined && !signal.aborted) {
      try {
        const { playlist } = await fetchPlaylist(this.options.masterUrl, PLAYLIST_LIMITS, signal);
        mediaUrl = playlist.kind === 'media' ? this.options.masterUrl : playlist.variants[0];
        if (mediaUrl === undefined) throw new Error('master playlist without variants');
      } catch (error) {
        if (!isAborted(signal)) this.noteError(error);
        await sleep(PLAYLIST_RETRY_MS, signal);
      }
    }
    while (mediaUrl !== undefined && !signal.aborted) {
      let waitMs = PLAYLIST_RETRY_MS;
      try {
        const { playlist, finalUrl } = await fetchPlaylist(mediaUrl, PLAYLIST_LIMITS, signal);
        if (playlist.kind !== 'media') throw new Error('a master playlist where a media playlist was expected');
        const changed = this.update(playlist.segments, renditionIdFromUrl(finalUrl), playlist.targetDurationSec);
        waitMs = playlist.targetDurationSec * (changed ? 1000 : 500);
      } catch (error) {
        if (!isAborted(signal)) this.noteError(error);
      }
      await sleep(waitMs, signal);
    }
  }

  /** Takes in a fresh read of the playlist; true when it lists a new segment. */
  private update(segments: readonly ListedSegment[], rendition: string, targetDurationSec: number): boolean {
    const last = segments.at(-1);
    const first = segments[0];
    if (last === undefined || first === undefined) return false;
    const nowMs = performance.now();
    const known = this.seen.at(-1)?.sn ?? -1;
    for (const s of segments) if (s.sn > known) this.seen.push({ sn: s.sn, atMs: nowMs });
    this.seen.splice(0, Math.max(0, this.seen.length - SEEN_KEPT));
    this.rendition = rendition;
    this.segmentSec = targetDurationSec;
    this.listed = new Map(segments.map((s) => [s.sn, { sn: s.sn, url: s.url }]));
    this.firstListedSn = first.sn;
    if (this.nextSn === undefined) {
      this.nextSn = segments[Math.max(0, segments.length - this.options.liveSyncSegments)]?.sn ?? last.sn;
      this.startSn = this.nextSn;
    }
    this.wake?.();
    return last.sn > known;
  }

  /** Loads segments one at a time, in order, as hls.js does. */
  private async load(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let sn = this.nextSn;
      if (sn !== undefined && sn < this.firstListedSn) {
        // Fell out of the live window: hls.js jumps forward, the segments in between are lost.
        this.tally.skipped += this.firstListedSn - sn;
        sn = this.firstListedSn;
        this.nextSn = sn;
      }
      const entry = sn === undefined ? undefined : this.listed.get(sn);
      if (entry === undefined) {
        await new Promise<void>((resolve) => { this.wake = resolve; });
        this.wake = undefined;
        continue;
      }
      await this.loadOne(entry, signal);
      this.nextSn = entry.sn + 1;
    }
  }

  private async loadOne(entry: ListedSegment, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; attempt <= SEGMENT_ATTEMPTS && !signal.aborted; attempt++) {
      const deadlineMs = performance.now() + this.playback.msUntilNeeded(performance.now());
      try {
        const loaded = await this.engine.loadSegment({ ref: { rendition: this.rendition, sn: entry.sn }, url: entry.url, deadlineMs, signal });
        this.playback.append(this.segmentSec, performance.now());
        this.engine.playerStarted();
        this.tally[loaded.source] += 1;
        this.loadedSns.push(entry.sn);
        this.onSegment(entry.sn, loaded.bytes.length);
        this.peersSeenMax = Math.max(this.peersSeenMax, this.engine.stats().peers);
        return;
      } catch (error) {
        if (isAborted(signal)) return;
        this.noteError(error);
        await sleep(200 * attempt, signal);
      }
    }
    if (!isAborted(signal)) this.tally.failed += 1;
  }

  private noteError(error: unknown): void {
    if (this.errors.length < 5) this.errors.push(describe(error));
  }
}

/** An error's message with its causes' (undici hides the socket error under 'fetch failed'). */
function describe(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const own = `${error.message}${typeof code === 'string' ? ` (${code})` : ''}`;
  return error.cause === undefined || depth >= 3 ? own : `${own} <- ${describe(error.cause, depth + 1)}`;
}
