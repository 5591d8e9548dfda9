import { asIntegrityError } from './errors.js';
import { fetchLimited } from './fetch-limited.js';
import type { SigningKey } from './keys.js';
import { parsePlaylist } from './playlist-parser.js';
import type { ParsedPlaylist } from './playlist-parser.js';
import { RenditionWatcher } from './rendition-watcher.js';
import type { WatcherConfig, WatcherHooks } from './rendition-watcher.js';
import { backoffMs, isAborted, sleep } from './sleep.js';
import { swarmIdFromUrl } from './stream-ids.js';

/**
 * Watches one stream: a master playlist, whose variants each get a RenditionWatcher, or a media
 * playlist given directly, which is its own swarm and single rendition. The master is read once
 * (retried with backoff until it parses); its variants are then polled for as long as they live.
 */
export class PlaylistWatcher {
  readonly url: string;
  readonly swarm: string;
  readonly #key: SigningKey;
  readonly #config: WatcherConfig;
  readonly #hooks: WatcherHooks;
  readonly #controller = new AbortController();
  readonly #renditions: RenditionWatcher[] = [];
  #running: Promise<void> | undefined;

  constructor(url: string, key: SigningKey, config: WatcherConfig, hooks: WatcherHooks) {
    this.url = url;
    this.swarm = swarmIdFromUrl(url);
    this.#key = key;
    this.#config = config;
    this.#hooks = hooks;
  }

  /** Renditions found so far. */
  get renditionCount(): number {
    return this.#renditions.length;
  }

  /** Starts watching; idempotent. */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Aborts every request and timer; resolves once all loops have ended. Idempotent. */
  async close(): Promise<void> {
    this.#controller.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#controller.signal;
    let failures = 0;
    let top: ParsedPlaylist | undefined;
    let finalUrl = this.url;
    while (top === undefined && !signal.aborted) {
      try {
        const limits = { maxBytes: this.#config.maxPlaylistBytes, timeoutMs: this.#config.playlistTimeoutMs };
        const body = await fetchLimited(this.url, 'playlist', limits, signal);
        // Variants resolve against the URL after redirects, as the player resolves them.
        top = parsePlaylist(new TextDecoder().decode(body.bytes), body.url);
        finalUrl = body.url;
      } catch (error) {
        if (isAborted(signal)) return;
        this.#hooks.error(asIntegrityError(error, this.url));
        failures += 1;
        await sleep(backoffMs(failures, this.#config.retryMinMs, this.#config.retryMaxMs), signal);
      }
    }
    if (top === undefined) return;
    if (top.kind === 'media') {
      // A media playlist given directly: its own swarm, with one rendition.
      await this.#add(this.url).run({ playlist: top, finalUrl });
      return;
    }
    await Promise.all(top.variants.map((variant) => this.#add(variant).run()));
  }

  #add(mediaUrl: string): RenditionWatcher {
    const watcher = new RenditionWatcher(this.swarm, mediaUrl, this.#key, this.#config, this.#hooks, this.#controller.signal);
    this.#renditions.push(watcher);
    return watcher;
  }
}
