import { createBrowserPorts, engineSettings, resolveRtcConnectorConfig, rtcSettings, type RtcConnectorConfig } from '@swarmcast/browser';
import { Emitter, Engine, resolveEngineConfig, type EngineEvents } from '@swarmcast/core';
import type { SwarmcastConfig, SwarmcastStats } from '@swarmcast/hlsjs';
import { swarmIdFromUrl } from '@swarmcast/hlsjs/swarm-id';
import { PlaybackMonitor } from './playback-monitor.js';
import { claimRequest, installSchemePlugin } from './scheme-plugin.js';
import { SegmentLoader } from './segment-loader.js';
import { SegmentMap } from './segment-map.js';
import { shaka } from './shaka-lib.js';
import type { ShakaPlayer, ShakaRequest, ShakaRequestContext, ShakaRequestType, ShakaResponse } from './shaka-lib.js';

export type { SwarmcastConfig, SwarmcastStats };

/** Manifests larger than this are not read for segment identities (their segments go over HTTP). */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export interface SegmentEvent {
  rendition: string;
  sn: number;
  source: 'http' | 'p2p';
  /** A copy of the bytes handed to Shaka. */
  bytes: Uint8Array;
  /** From Shaka asking for it to the hand-over, ms (the engine's wait for peers, the transfer, the checks). */
  loadMs: number;
}

export interface SwarmcastEvents {
  /** Every media segment handed to Shaka through Swarmcast. */
  segment: (e: SegmentEvent) => void;
  'peer-connected': EngineEvents['peer-connected'];
  'peer-disconnected': EngineEvents['peer-disconnected'];
  'peer-interrupted': EngineEvents['peer-interrupted'];
  'peer-resumed': EngineEvents['peer-resumed'];
  'tracker-connected': EngineEvents['tracker-connected'];
  'tracker-disconnected': EngineEvents['tracker-disconnected'];
  /** Engine errors, and manifests whose segments could not be identified (those go over HTTP). */
  error: (e: { error: unknown }) => void;
}

/**
 * P2P delivery for one Shaka player, HLS or DASH (the same engine, tracker and integrity records
 * as the hls.js integration):
 * ```ts
 * const swarmcast = new Swarmcast({ trackerUrl: 'wss://tracker.example.com' });
 * const player = new shaka.Player();
 * await player.attach(video);
 * swarmcast.attach(player);
 * await player.load(url);
 * // ... swarmcast.destroy() before player.destroy()
 * ```
 */
export class Swarmcast {
  private readonly events = new Emitter<SwarmcastEvents>((error) => this.events.emit('error', { error }));
  private readonly segments = new SegmentMap();
  private readonly loader: SegmentLoader;
  private engine: Engine | undefined;
  private player: ShakaPlayer | undefined;
  private playback: PlaybackMonitor | undefined;
  /** The media element watched for its first frame (see onLoadedData). */
  private watchedMedia: HTMLMediaElement | undefined;
  /** The first frame is in: the swarm is joined now (see EngineConfig.maxJoinDelayMs). */
  private readonly onLoadedData = (): void => {
    this.engine?.playerStarted();
  };
  private destroyed = false;
  /** Counters of engines replaced by a new source, so stats() stays cumulative. */
  private retired = { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, controlBytes: 0 };
  private readonly onLoading = (): void => {
    const url = this.player?.getAssetUri();
    if (url) this.startSwarm(url);
  };
  private readonly onUnloading = (): void => {
    this.stopSwarm();
    // Only here, not when a swarm starts: the manifest may already be in (Shaka can preload it).
    this.segments.clear();
  };
  private readonly requestFilter = (type: ShakaRequestType, request: ShakaRequest, context?: ShakaRequestContext): void => {
    if (type !== shaka.net.NetworkingEngine.RequestType.SEGMENT || this.engine === undefined) return;
    // Init segments, byte ranges and non-GETs stay on HTTP: they are not identified for P2P.
    if (context?.type === shaka.net.NetworkingEngine.AdvancedRequestType.INIT_SEGMENT || request.method !== 'GET') return;
    if (Object.keys(request.headers).some((name) => name.toLowerCase() === 'range')) return;
    const identity = request.uris.map((uri) => this.segments.lookup(uri)).find((id) => id !== undefined);
    if (identity === undefined) return;
    this.loader.remember(request, identity, context?.segment?.getStartTime() ?? 0);
    claimRequest(request, this.loader);
  };
  private readonly responseFilter = (type: ShakaRequestType, response: ShakaResponse): void => {
    if (type !== shaka.net.NetworkingEngine.RequestType.MANIFEST || response.data.byteLength > MAX_MANIFEST_BYTES) return;
    try {
      this.segments.addManifest(new TextDecoder().decode(response.data), response.uri);
    } catch (error) {
      this.events.emit('error', { error });
    }
  };

  constructor(private readonly config: SwarmcastConfig) {
    // The engine's settings (URLs, numbers, their relations) fail here already, not later inside a
    // Shaka event when the manifest starts the engine.
    resolveEngineConfig({ ...engineSettings(this.config), swarmId: 'check' });
    resolveRtcConnectorConfig(this.rtcConfig());
    this.loader = new SegmentLoader({
      engine: () => this.engine,
      media: () => this.player?.getMediaElement() ?? null,
      now: () => performance.now(),
      segmentDelivered: (rendition, sn, source, bytes, loadMs) => this.events.emit('segment', { rendition, sn, source, bytes, loadMs }),
    });
  }

  /**
   * Routes `player`'s media segments through Swarmcast from its next load() on; call before load().
   * A load starts (or switches) the swarm; unload ends it.
   */
  attach(player: ShakaPlayer): void {
    if (this.destroyed) throw new Error('Swarmcast: attach() after destroy()');
    if (this.player) throw new Error('Swarmcast: already attached to a player');
    const networking = player.getNetworkingEngine();
    if (!networking) throw new Error('Swarmcast: the player has no networking engine (destroyed?)');
    installSchemePlugin();
    this.player = player;
    networking.registerRequestFilter(this.requestFilter);
    networking.registerResponseFilter(this.responseFilter);
    player.addEventListener('loading', this.onLoading);
    player.addEventListener('unloading', this.onUnloading);
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
      httpBytes: this.retired.httpBytes + (s?.httpBytes ?? 0),
      p2pBytes: this.retired.p2pBytes + (s?.p2pBytes ?? 0),
      uploadedBytes: this.retired.uploadedBytes + (s?.uploadedBytes ?? 0),
      controlBytes: this.retired.controlBytes + (s?.controlBytesSent ?? 0),
      peers: s?.peers ?? 0,
      peerId: this.engine?.peerId ?? null,
      engine: s,
    };
  }

  /** Leaves the swarm and detaches from the player (which keeps playing over HTTP). Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.stopSwarm();
    const player = this.player;
    if (player) {
      const networking = player.getNetworkingEngine();
      networking?.unregisterRequestFilter(this.requestFilter);
      networking?.unregisterResponseFilter(this.responseFilter);
      player.removeEventListener('loading', this.onLoading);
      player.removeEventListener('unloading', this.onUnloading);
    }
    this.events.removeAllListeners();
    this.player = undefined;
  }

  private startSwarm(manifestUrl: string): void {
    if (this.destroyed) return;
    this.stopSwarm();
    const engine = new Engine({ ...engineSettings(this.config), swarmId: this.config.swarmId ?? swarmIdFromUrl(manifestUrl) }, createBrowserPorts(this.rtcConfig()));
    engine.on('peer-connected', (e) => this.events.emit('peer-connected', e));
    engine.on('peer-disconnected', (e) => this.events.emit('peer-disconnected', e));
    engine.on('peer-interrupted', (e) => this.events.emit('peer-interrupted', e));
    engine.on('peer-resumed', (e) => this.events.emit('peer-resumed', e));
    engine.on('tracker-connected', (e) => this.events.emit('tracker-connected', e));
    engine.on('tracker-disconnected', (e) => this.events.emit('tracker-disconnected', e));
    engine.on('error', (e) => this.events.emit('error', e));
    this.engine = engine;
    const media = this.player?.getMediaElement();
    if (this.player && media) {
      this.playback = new PlaybackMonitor(this.player, media, (report) => this.engine?.reportPlayback(report), () => performance.now());
      media.addEventListener('loadeddata', this.onLoadedData);
      this.watchedMedia = media;
    }
    engine.start();
  }

  /** The WebRTC slice of the config. */
  private rtcConfig(): Partial<RtcConnectorConfig> {
    return rtcSettings(this.config);
  }

  private stopSwarm(): void {
    this.loader.stopWatching();
    this.playback?.destroy();
    this.playback = undefined;
    this.watchedMedia?.removeEventListener('loadeddata', this.onLoadedData);
    this.watchedMedia = undefined;
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
