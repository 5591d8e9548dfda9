import { createBrowserPorts, engineSettings, resolveRtcConnectorConfig, rtcSettings, type RtcConnectorConfig } from '@swarmcast/browser';
import { Emitter, Engine, resolveEngineConfig, type EngineConfig, type EngineEvents, type EngineStats } from '@swarmcast/core';
import Hls, { type FragmentLoaderConstructor, type HlsConfig } from 'hls.js';
import { createFragmentLoader } from './fragment-loader.js';
import { PlaybackMonitor } from './playback-monitor.js';
import { swarmIdFromUrl } from './swarm-id.js';

/**
 * Swarmcast for hls.js: engine settings plus the WebRTC ones (iceServers, iceTransportPolicy,
 * privacy: see RtcConnectorConfig). A tracker URL is required: trackerUrl, or trackerUrls (several
 * nodes of a tracker cluster, tried in turn).
 */
export type SwarmcastConfig = Partial<EngineConfig> &
  Partial<RtcConnectorConfig> &
  (
    | {
        /** Tracker WebSocket URL. */
        trackerUrl: string;
      }
    | {
        /** Tracker WebSocket URLs, tried in turn (see EngineConfig.trackerUrls). */
        trackerUrls: string[];
      }
  );

/** Counters shown to viewers and collected by benchmarks. */
export interface SwarmcastStats {
  /** Bytes fetched over HTTP: by the engine, and by hls.js's own loader for what never goes P2P (init segments, LL-HLS parts, byte ranges). */
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  /** Non-data bytes this viewer sent on DataChannels. */
  controlBytes: number;
  peers: number;
  /** Our tracker-assigned id in the current swarm; null before joining. */
  peerId: string | null;
  engine: EngineStats | undefined;
}

export interface SegmentEvent {
  rendition: string;
  sn: number;
  source: 'http' | 'p2p';
  /** A copy of the bytes handed to hls.js. */
  bytes: Uint8Array;
  /** From hls.js asking for it to the hand-over, ms (the engine's wait for peers, the transfer, the checks). */
  loadMs: number;
}

export interface SwarmcastEvents {
  /** Every media segment handed to hls.js through Swarmcast. */
  segment: (e: SegmentEvent) => void;
  /**
   * Every init segment (EXT-X-MAP) handed to hls.js through Swarmcast; `rendition` is its
   * initSegmentRenditionId, `sn` INIT_SEGMENT_SN.
   */
  'init-segment': (e: SegmentEvent) => void;
  'peer-connected': EngineEvents['peer-connected'];
  'peer-disconnected': EngineEvents['peer-disconnected'];
  'peer-interrupted': EngineEvents['peer-interrupted'];
  'peer-resumed': EngineEvents['peer-resumed'];
  'tracker-connected': EngineEvents['tracker-connected'];
  'tracker-disconnected': EngineEvents['tracker-disconnected'];
  error: (e: { error: unknown }) => void;
}

/**
 * P2P delivery for one hls.js player:
 * ```ts
 * const swarmcast = new Swarmcast({ trackerUrl: 'wss://tracker.example.com' });
 * const hls = new Hls({ ...swarmcast.hlsConfig() });
 * swarmcast.attach(hls);
 * hls.loadSource(url);
 * hls.attachMedia(video);
 * ```
 */
export class Swarmcast {
  private readonly events = new Emitter<SwarmcastEvents>((error) => this.events.emit('error', { error }));
  private engine: Engine | undefined;
  private hls: Hls | undefined;
  private playback: PlaybackMonitor | undefined;
  private destroyed = false;
  /** Counters of engines replaced by a new source, so stats() stays cumulative. */
  private retired = { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, controlBytes: 0 };
  /** What hls.js's own loader fetched for us (init segments, parts, byte ranges). */
  private fallbackHttpBytes = 0;
  /** The in-flight fragment loads that re-check their deadline after a buffer flush. */
  private readonly flushListeners = new Set<() => void>();

  constructor(private readonly config: SwarmcastConfig) {
    // The engine's settings (URLs, numbers, their relations) fail here already, not later inside an
    // hls.js event when the first playlist starts the engine.
    resolveEngineConfig({ ...engineSettings(this.config), swarmId: 'check' });
    // The WebRTC settings fail here, not later inside an hls.js event.
    resolveRtcConnectorConfig(this.rtcConfig());
  }

  /** The hls.js config entries that route media and init segments through Swarmcast. Spread into `new Hls({...})`. */
  hlsConfig(): { fLoader: FragmentLoaderConstructor } {
    const fallback = Hls.DefaultConfig.loader as unknown as new (config: HlsConfig) => InstanceType<FragmentLoaderConstructor>;
    const fLoader = createFragmentLoader(
      {
        engine: () => this.engine,
        media: () => this.hls?.media ?? null,
        now: () => performance.now(),
        playerBandwidthBps: () => this.hls?.bandwidthEstimate ?? Number.NaN,
        segmentDelivered: (rendition, sn, source, bytes, init, loadMs) => this.events.emit(init ? 'init-segment' : 'segment', { rendition, sn, source, bytes, loadMs }),
        fallbackLoaded: (bytes) => {
          this.fallbackHttpBytes += bytes;
        },
        onBufferFlushed: (listener) => {
          this.flushListeners.add(listener);
          return () => this.flushListeners.delete(listener);
        },
      },
      fallback,
    );
    return { fLoader };
  }

  /** Follows `hls`: a new source starts (or switches) the swarm; hls.js's destroy ends it. */
  attach(hls: Hls): void {
    this.hls = hls;
    // Stalls and latency go to the engine for the summaries it sends the tracker.
    this.playback = new PlaybackMonitor(hls, (report) => this.engine?.reportPlayback(report), () => performance.now());
    hls.on(Hls.Events.MANIFEST_LOADING, (_event, data) => this.startSwarm(data.url));
    // The first fragment is in the buffer: the swarm is joined now (see EngineConfig.maxJoinDelayMs).
    hls.on(Hls.Events.FRAG_BUFFERED, () => this.engine?.playerStarted());
    hls.on(Hls.Events.BUFFER_FLUSHED, () => { for (const listener of [...this.flushListeners]) listener(); });
    hls.on(Hls.Events.DESTROYING, () => this.destroy());
  }

  on<K extends keyof SwarmcastEvents>(event: K, listener: SwarmcastEvents[K]): this {
    this.events.on(event, listener);
    return this;
  }

  off<K extends keyof SwarmcastEvents>(event: K, listener: SwarmcastEvents[K]): this {
    this.events.off(event, listener);
    return this;
  }

  stats(): SwarmcastStats {
    const s = this.engine?.stats();
    return {
      httpBytes: this.retired.httpBytes + this.fallbackHttpBytes + (s?.httpBytes ?? 0),
      p2pBytes: this.retired.p2pBytes + (s?.p2pBytes ?? 0),
      uploadedBytes: this.retired.uploadedBytes + (s?.uploadedBytes ?? 0),
      controlBytes: this.retired.controlBytes + (s?.controlBytesSent ?? 0),
      peers: s?.peers ?? 0,
      peerId: this.engine?.peerId ?? null,
      engine: s,
    };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.stopSwarm();
    this.playback?.destroy();
    this.playback = undefined;
    this.events.removeAllListeners();
    this.hls = undefined;
  }

  private startSwarm(playlistUrl: string): void {
    if (this.destroyed) return;
    this.stopSwarm();
    const engine = new Engine({ ...engineSettings(this.config), swarmId: this.config.swarmId ?? swarmIdFromUrl(playlistUrl) }, createBrowserPorts(this.rtcConfig()));
    engine.on('peer-connected', (e) => this.events.emit('peer-connected', e));
    engine.on('peer-disconnected', (e) => this.events.emit('peer-disconnected', e));
    engine.on('peer-interrupted', (e) => this.events.emit('peer-interrupted', e));
    engine.on('peer-resumed', (e) => this.events.emit('peer-resumed', e));
    engine.on('tracker-connected', (e) => this.events.emit('tracker-connected', e));
    engine.on('tracker-disconnected', (e) => this.events.emit('tracker-disconnected', e));
    engine.on('error', (e) => this.events.emit('error', e));
    this.engine = engine;
    engine.start();
  }

  /** The WebRTC slice of the config. */
  private rtcConfig(): Partial<RtcConnectorConfig> {
    return rtcSettings(this.config);
  }

  private stopSwarm(): void {
    if (!this.engine) return;
    const s = this.engine.stats();
    this.retired.httpBytes += s.httpBytes;
    this.retired.p2pBytes += s.p2pBytes;
    this.retired.uploadedBytes += s.uploadedBytes;
    this.retired.controlBytes += s.controlBytesSent;
    this.engine.destroy();
    this.engine = undefined;
  }
}
