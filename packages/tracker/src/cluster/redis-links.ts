/**
 * The two Redis connections of a node: one for commands, one subscribed to the node's channels
 * (a subscribed connection can run nothing else). Both reconnect forever; while one is down the
 * commands fail at once (no offline queue), so the tracker falls back to its local members instead of
 * waiting. One log line per transition, never one per failed command.
 */
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

/** Longest wait for a command (or a connection) before it counts as failed. */
const REDIS_TIMEOUT_MS = 2_000;
/** Reconnect delays grow from 100 ms to this. */
const MAX_RECONNECT_DELAY_MS = 2_000;

export interface RedisLinksHooks {
  /** The command connection is (again) usable: rewrite this node's state. */
  commandsReady(commands: Redis): void;
  /** A message on a subscribed channel (untrusted). */
  message(channel: string, text: string): void;
  /** A one-line note on a connection state change. */
  log(line: string): void;
}

const OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: REDIS_TIMEOUT_MS,
  commandTimeout: REDIS_TIMEOUT_MS,
  retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), MAX_RECONNECT_DELAY_MS),
  // Subscriptions are renewed by hand on each 'ready', with the offline queue off.
  autoResubscribe: false,
  enableAutoPipelining: true,
};

export class RedisLinks {
  readonly commands: Redis;
  readonly #subscriber: Redis;
  readonly #channels: readonly string[];
  readonly #hooks: RedisLinksHooks;
  #subscribed = false;
  #closing = false;
  #wasUp = { commands: false, subscriber: false };

  constructor(redisUrl: string, channels: readonly string[], hooks: RedisLinksHooks) {
    this.#channels = channels;
    this.#hooks = hooks;
    this.commands = new Redis(redisUrl, { ...OPTIONS, connectionName: 'swarmcast-tracker' });
    this.#subscriber = new Redis(redisUrl, { ...OPTIONS, connectionName: 'swarmcast-tracker-sub' });
    this.#watch(this.commands, 'commands', () => {
      hooks.commandsReady(this.commands);
    });
    this.#watch(this.#subscriber, 'subscriber', () => {
      this.#subscribe();
    });
    this.#subscriber.on('message', (channel: string, text: string) => {
      hooks.message(channel, text);
    });
  }

  /** Both connections are up and the channels subscribed. */
  get ready(): boolean {
    return this.commands.status === 'ready' && this.#subscriber.status === 'ready' && this.#subscribed;
  }

  /** Ends both connections without reconnecting; idempotent. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all([end(this.commands), end(this.#subscriber)]);
  }

  #subscribe(): void {
    this.#subscribed = false;
    this.#subscriber.subscribe(...this.#channels).then(
      () => {
        this.#subscribed = true;
      },
      (error: unknown) => {
        // The next 'ready' (after a reconnect) tries again.
        this.#hooks.log(`subscribe failed: ${String(error)}`);
      },
    );
  }

  #watch(redis: Redis, name: 'commands' | 'subscriber', onReady: () => void): void {
    redis.on('ready', () => {
      this.#wasUp[name] = true;
      this.#hooks.log(`redis ${name} connection ready`);
      onReady();
    });
    redis.on('close', () => {
      if (name === 'subscriber') this.#subscribed = false;
      if (!this.#wasUp[name] || this.#closing) return;
      this.#wasUp[name] = false;
      this.#hooks.log(`redis ${name} connection lost; reconnecting`);
    });
    // Without a listener an 'error' event would throw; the state change is logged on 'close'.
    redis.on('error', () => undefined);
  }
}

async function end(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // Fall through to a hard disconnect.
    }
  }
  redis.disconnect();
}
