/**
 * The edge peer: a well-provisioned Node member of a live stream's swarm. It reads the playlists
 * itself, fetches every new segment of the followed renditions from the CDN through the same engine
 * browsers run (so integrity records, 'receiving'/'have' announcements and uploads work as for
 * them), keeps a large store, announces a high upload and serves the viewers around it.
 */
import { Emitter, Engine, resolveEngineConfig, type EngineEvents, type EngineStats } from '@swarmcast/core';
import { swarmIdFromUrl } from '@swarmcast/integrity';
import { resolveEdgePeerConfig, type EdgePeerConfig } from './edge-config.js';
import { createNodePorts } from './node-ports.js';
import { fetchPlaylist } from './playlist-fetch.js';
import { RenditionFollower } from './rendition-follower.js';
import { resolveNodeRtcConfig } from './rtc-config.js';
import type { NodeRtcConnector } from './rtc-connector.js';
import type { RtcLinkInfo } from './rtc-link-stats.js';
import { isAborted, sleep } from './sleep.js';

export interface EdgePeerEvents {
  /** A segment the edge peer acquired (from the CDN, or from a peer). */
  segment: (e: { rendition: string; sn: number; source: 'http' | 'p2p'; sizeBytes: number; late: boolean }) => void;
  'peer-connected': EngineEvents['peer-connected'];
  'peer-disconnected': EngineEvents['peer-disconnected'];
  'peer-interrupted': EngineEvents['peer-interrupted'];
  'peer-resumed': EngineEvents['peer-resumed'];
  /** A playlist or segment failed (retried), or the engine reported a problem it survived. */
  error: (e: { error: unknown }) => void;
}

export interface EdgePeerStats {
  /** Media playlists followed (known once the master has been read). */
  renditions: number;
  /** Segments acquired since start. */
  segments: number;
  engine: EngineStats;
}

/** Wait before re-reading a master playlist that failed, ms. */
const MASTER_RETRY_MS = 2_000;

export class EdgePeer {
  readonly config: EdgePeerConfig;
  /** The swarm id, derived from streamUrl exactly as the hls.js integration derives it. */
  readonly swarmId: string;
  private readonly engine: Engine;
  private readonly connector: NodeRtcConnector;
  private readonly events = new Emitter<EdgePeerEvents>(() => undefined);
  private readonly lifetime = new AbortController();
  private readonly followers: RenditionFollower[] = [];
  private running: Promise<void> | undefined;
  private segments = 0;
  private closed: Promise<void> | undefined;

  constructor(config: Partial<EdgePeerConfig> & Pick<EdgePeerConfig, 'streamUrl' | 'trackerUrl'>) {
    this.config = resolveEdgePeerConfig(config);
    this.swarmId = swarmIdFromUrl(this.config.streamUrl);
    const c = this.config;
    const engineConfig = resolveEngineConfig({
      ...c.engine,
      trackerUrl: c.trackerUrl,
      swarmId: this.swarmId,
      // A capped edge announces no more than its cap: peers rank uploaders by it.
      uploadKbps: c.uploadCapBytesPerSec > 0 ? Math.min(c.uploadKbps, Math.floor((c.uploadCapBytesPerSec * 8) / 1000)) : c.uploadKbps,
      uploadCapBytesPerSec: c.uploadCapBytesPerSec,
      group: c.group,
      // Every segment over HTTP as it appears: the tracker names it a seeder to the viewers.
      seeder: c.engine.seeder ?? c.segmentDelayMs === 0,
      storeBudgetBytes: c.storeBudgetBytes,
      maxPeers: c.maxPeers,
      minPeers: Math.min(c.engine.minPeers ?? 4, c.maxPeers),
      // Many viewers ask the same edge peer: let it serve more of each one's requests at once.
      maxUploadsPerPeer: c.engine.maxUploadsPerPeer ?? 8,
      // No player here whose startup joining would slow: join at start (see maxJoinDelayMs).
      maxJoinDelayMs: c.engine.maxJoinDelayMs ?? 0,
    });
    const ports = createNodePorts(resolveNodeRtcConfig(c.rtc));
    this.connector = ports.connector;
    this.engine = new Engine(engineConfig, ports);
    this.engine.on('peer-connected', (e) => this.events.emit('peer-connected', e));
    this.engine.on('peer-disconnected', (e) => this.events.emit('peer-disconnected', e));
    this.engine.on('peer-interrupted', (e) => this.events.emit('peer-interrupted', e));
    this.engine.on('peer-resumed', (e) => this.events.emit('peer-resumed', e));
    this.engine.on('error', (e) => this.events.emit('error', e));
  }

  on<K extends keyof EdgePeerEvents>(event: K, listener: EdgePeerEvents[K]): this {
    this.events.on(event, listener);
    return this;
  }

  off<K extends keyof EdgePeerEvents>(event: K, listener: EdgePeerEvents[K]): this {
    this.events.off(event, listener);
    return this;
  }

  /** Joins the swarm and starts following the stream; idempotent. */
  start(): void {
    if (this.running || this.lifetime.signal.aborted) return;
    this.engine.start();
    this.running = this.run(this.lifetime.signal);
  }

  get peerId(): string | undefined {
    return this.engine.peerId;
  }

  stats(): EdgePeerStats {
    return { renditions: this.followers.length, segments: this.segments, engine: this.engine.stats() };
  }

  /** What each WebRTC connection did: candidate pair (direct or relay) and bytes; see RtcLinkInfo. */
  connections(): RtcLinkInfo[] {
    return this.connector.links();
  }

  /** Stops every playlist read, download, connection and timer; resolves once all have ended. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.lifetime.abort();
      await this.running;
      this.engine.destroy();
      this.events.removeAllListeners();
    })();
    return this.closed;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const limits = { maxBytes: this.config.maxPlaylistBytes, timeoutMs: this.config.playlistTimeoutMs };
    let mediaUrls: string[] | undefined;
    while (mediaUrls === undefined && !signal.aborted) {
      try {
        const { playlist, finalUrl } = await fetchPlaylist(this.config.streamUrl, limits, signal);
        mediaUrls = playlist.kind === 'media' ? [finalUrl] : this.select(playlist.variants);
      } catch (error) {
        if (isAborted(signal)) return;
        this.events.emit('error', { error });
        await sleep(MASTER_RETRY_MS, signal);
      }
    }
    if (mediaUrls === undefined) return;
    const settings = { limits, initialSegments: this.config.initialSegments, refreshRatio: this.config.playlistRefreshRatio, segmentDelayMs: this.config.segmentDelayMs };
    const hooks = {
      segment: (e: Parameters<EdgePeerEvents['segment']>[0]) => {
        this.segments += 1;
        this.events.emit('segment', e);
      },
      error: (error: Error) => this.events.emit('error', { error }),
    };
    for (const url of mediaUrls) this.followers.push(new RenditionFollower(url, this.engine, settings, hooks));
    await Promise.all(this.followers.map((f) => f.run(signal)));
  }

  /** The variants the config selects; an Error when it selects none (a typo must not pass silently). */
  private select(variants: readonly string[]): string[] {
    const { renditions } = this.config;
    if (renditions === 'all') return [...variants];
    const chosen = variants.filter((url) => renditions.some((part) => url.includes(part)));
    if (chosen.length === 0) throw new Error(`renditions ${JSON.stringify(renditions)} match none of the variants: ${variants.join(', ')}`);
    return chosen;
  }
}
