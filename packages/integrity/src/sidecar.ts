import { serializeMessage } from '@swarmcast/protocol';
import type { SegmentRecord } from '@swarmcast/protocol';
import { WebSocket } from 'ws';
import { IntegrityAuthority } from './authority.js';
import type { ErrorListener, IntegrityAuthorityStats } from './authority.js';
import { IntegrityError } from './errors.js';
import { resolveSidecarConfig } from './sidecar-config.js';
import type { SidecarConfig, SigningSidecarOptions } from './sidecar-config.js';
import { recordsMessages } from './records-messages.js';
import { backoffMs } from './sleep.js';

export interface SidecarStats {
  connected: boolean;
  /** Successful connections, the first one included. */
  connects: number;
  messagesSent: number;
  recordsSent: number;
  authority: IntegrityAuthorityStats;
}

export interface SigningSidecar {
  readonly authority: IntegrityAuthority;
  /**
   * Settles when the sidecar has stopped for good: undefined after close(), or the error that
   * stopped it (PUBLISH_UNAUTHORIZED: the tracker refused the secret). Never rejects.
   */
  readonly stopped: Promise<IntegrityError | undefined>;
  stats(): SidecarStats;
  /** Every failure: the authority's, and PUBLISH_FAILED / PUBLISH_UNAUTHORIZED of the connection. */
  onError(listener: ErrorListener): () => void;
  /** Closes the connection and the authority; idempotent. */
  close(): Promise<void>;
}

/**
 * Runs an IntegrityAuthority and publishes its records to a tracker's /authority endpoint. On
 * every (re)connect it sends all records it holds, so a restarted tracker catches up at once.
 * Throws IntegrityError on invalid options.
 */
export function startSigningSidecar(options: SigningSidecarOptions): SigningSidecar {
  return new Sidecar(resolveSidecarConfig(options), new IntegrityAuthority(options.authority));
}

class Sidecar implements SigningSidecar {
  readonly authority: IntegrityAuthority;
  readonly stopped: Promise<IntegrityError | undefined>;
  readonly #config: SidecarConfig;
  readonly #errorListeners = new Set<ErrorListener>();
  /** Records signed since the last flush, by swarm: sent together on the next tick. */
  readonly #pending = new Map<string, SegmentRecord[]>();
  #socket: WebSocket | undefined;
  #failures = 0;
  #missedPongs = 0;
  #counters = { connects: 0, messagesSent: 0, recordsSent: 0 };
  #reconnectTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #flushScheduled: NodeJS.Immediate | undefined;
  #stop!: (error: IntegrityError | undefined) => void;
  #closing: Promise<void> | undefined;

  constructor(config: SidecarConfig, authority: IntegrityAuthority) {
    this.#config = config;
    this.authority = authority;
    this.stopped = new Promise((resolve) => {
      this.#stop = resolve;
    });
    authority.onError((error) => {
      this.#report(error);
    });
    authority.onRecords((swarm, records) => {
      const list = this.#pending.get(swarm) ?? [];
      list.push(...records);
      this.#pending.set(swarm, list);
      this.#flushScheduled ??= setImmediate(() => {
        this.#flush();
      });
    });
    authority.start();
    this.#connect();
  }

  stats(): SidecarStats {
    return { connected: this.#socket?.readyState === WebSocket.OPEN, ...this.#counters, authority: this.authority.stats() };
  }

  onError(listener: ErrorListener): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  close(): Promise<void> {
    return this.#shutdown(undefined);
  }

  #shutdown(reason: IntegrityError | undefined): Promise<void> {
    this.#closing ??= (async () => {
      clearTimeout(this.#reconnectTimer);
      clearInterval(this.#pingTimer);
      if (this.#flushScheduled !== undefined) clearImmediate(this.#flushScheduled);
      const socket = this.#socket;
      this.#socket = undefined;
      if (socket !== undefined && socket.readyState !== WebSocket.CLOSED) {
        const closed = new Promise((resolve) => socket.once('close', resolve));
        socket.terminate();
        await closed;
      }
      await this.authority.close();
      this.#errorListeners.clear();
      this.#stop(reason);
    })();
    return this.#closing;
  }

  #connect(): void {
    const socket = new WebSocket(this.#config.publishUrl, {
      headers: { Authorization: `Bearer ${this.#config.secret}` },
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    this.#socket = socket;
    // Set once the outcome is reported, so the error ws emits while aborting is not reported again.
    let reported = false;
    socket.on('unexpected-response', (_req, res) => {
      reported = true;
      res.resume();
      const status = res.statusCode ?? 0;
      socket.terminate();
      if (status === 401 || status === 403) {
        const error = new IntegrityError('PUBLISH_UNAUTHORIZED', `tracker refused the sidecar (HTTP ${status}): check --secret and the tracker's authoritySecret`, {
          url: this.#config.publishUrl,
        });
        this.#report(error);
        void this.#shutdown(error);
      } else this.#report(new IntegrityError('PUBLISH_FAILED', `tracker answered HTTP ${status}`, { url: this.#config.publishUrl }));
    });
    socket.on('open', () => {
      this.#failures = 0;
      this.#counters.connects += 1;
      this.#missedPongs = 0;
      this.#pingTimer = setInterval(() => {
        this.#ping(socket);
      }, this.#config.pingIntervalMs);
      // Everything held, then what arrives: a restarted tracker has nothing.
      this.#pending.clear();
      for (const swarm of this.authority.swarms()) this.#send(socket, swarm, this.authority.records(swarm));
    });
    socket.on('pong', () => {
      this.#missedPongs = 0;
    });
    socket.on('error', (error) => {
      if (reported || this.#closing !== undefined) return;
      this.#report(new IntegrityError('PUBLISH_FAILED', `connection to the tracker failed: ${error.message}`, { url: this.#config.publishUrl, cause: error }));
    });
    socket.on('close', () => {
      clearInterval(this.#pingTimer);
      if (this.#socket !== socket || this.#closing !== undefined) return;
      this.#socket = undefined;
      this.#failures += 1;
      this.#reconnectTimer = setTimeout(
        () => {
          this.#connect();
        },
        backoffMs(this.#failures, this.#config.reconnectMinMs, this.#config.reconnectMaxMs),
      );
    });
  }

  #ping(socket: WebSocket): void {
    this.#missedPongs += 1;
    if (this.#missedPongs > 2) socket.terminate();
    else socket.ping();
  }

  #flush(): void {
    this.#flushScheduled = undefined;
    const socket = this.#socket;
    // While disconnected, records wait in the authority: the next connect sends them all.
    if (socket?.readyState === WebSocket.OPEN) for (const [swarm, records] of this.#pending) this.#send(socket, swarm, records);
    this.#pending.clear();
  }

  #send(socket: WebSocket, swarm: string, records: readonly SegmentRecord[]): void {
    for (const msg of recordsMessages(swarm, records)) {
      socket.send(serializeMessage(msg));
      this.#counters.messagesSent += 1;
      this.#counters.recordsSent += msg.records.length;
    }
  }

  #report(error: IntegrityError): void {
    for (const listener of this.#errorListeners) {
      try {
        listener(error);
      } catch (thrown) {
        console.error('[swarmcast:sidecar] error listener threw:', thrown);
      }
    }
  }
}
