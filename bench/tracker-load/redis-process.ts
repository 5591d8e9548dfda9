/**
 * The cluster bench's redis-server: started on a free loopback port with the tracker tests' helper
 * (packages/tracker/test/redis-server.ts: no persistence, stopped by PID), and sampled from outside:
 * CPU and RSS from /proc, used memory and commands processed from INFO.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { startRedis } from '../../packages/tracker/test/redis-server.js';
import type { RedisServer } from '../../packages/tracker/test/redis-server.js';

/** One look at redis-server. */
export interface RedisSample {
  readonly atMs: number;
  /** user + system CPU since it started (from /proc/PID/stat), seconds. */
  readonly cpuSec: number;
  readonly cpuSystemSec: number;
  /** VmRSS of the process. */
  readonly rssBytes: number;
  /** INFO memory used_memory: what Redis itself holds (keys, client buffers). */
  readonly usedMemoryBytes: number;
  /** INFO stats total_commands_processed: each EVAL and each command its script runs (redis.call) count. */
  readonly commandsProcessed: number;
  /** INFO clients connected_clients. */
  readonly connectedClients: number;
}

const INFO_TIMEOUT_MS = 10_000;

let clockTicksPerSec: number | undefined;

function ticksPerSec(): number {
  if (clockTicksPerSec === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim();
    const n = Number(out);
    clockTicksPerSec = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return clockTicksPerSec;
}

export class RedisProcess {
  readonly #server: RedisServer;
  readonly #client: Redis;

  private constructor(server: RedisServer, client: Redis) {
    this.#server = server;
    this.#client = client;
  }

  static async start(): Promise<RedisProcess> {
    const server = await startRedis();
    // Only for INFO: commands fail at once rather than queue if Redis is gone.
    const client = new Redis(server.url, { enableOfflineQueue: true, maxRetriesPerRequest: 1, commandTimeout: INFO_TIMEOUT_MS, lazyConnect: true, connectionName: 'bench-info' });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      await server.stop();
      throw error;
    }
    return new RedisProcess(server, client);
  }

  get url(): string {
    return this.#server.url;
  }

  get pid(): number {
    return this.#server.pid;
  }

  async sample(): Promise<RedisSample> {
    const [memory, stats, clients] = await Promise.all([this.#client.info('memory'), this.#client.info('stats'), this.#client.info('clients')]);
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state: utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const hz = ticksPerSec();
    const user = Number(fields[11]) / hz;
    const system = Number(fields[12]) / hz;
    const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1] ?? 0);
    return {
      atMs: performance.timeOrigin + performance.now(),
      cpuSec: user + system,
      cpuSystemSec: system,
      rssBytes: rssKiB * 1024,
      usedMemoryBytes: infoField(memory, 'used_memory'),
      commandsProcessed: infoField(stats, 'total_commands_processed'),
      connectedClients: infoField(clients, 'connected_clients'),
    };
  }

  /** Closes the INFO connection and kills redis-server by PID; idempotent. */
  async stop(): Promise<void> {
    this.#client.disconnect();
    await this.#server.stop();
  }
}

function infoField(info: string, name: string): number {
  const value = new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1];
  return value === undefined ? Number.NaN : Number(value);
}
