/**
 * A real redis-server for tests: started on a free loopback port, without persistence, stopped by its
 * PID. Missing redis-server is a failure with a clear message, never a skip.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const REDIS_SERVER_PATH = '/usr/bin/redis-server';

/** Long enough for a loaded 2-core machine. */
const START_TIMEOUT_MS = 10_000;

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** Kills it (SIGKILL: the abrupt case) and waits for the exit; idempotent. */
  stop(): Promise<void>;
}

export function assertRedisInstalled(): void {
  if (!existsSync(REDIS_SERVER_PATH)) {
    throw new Error(`${REDIS_SERVER_PATH} not found: the cluster tests need a real Redis. Install it with: apt-get install -y redis-server`);
  }
}

/** A port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts redis-server on port (a free one by default) and resolves once it accepts connections.
 * Nothing is saved unless asked (SAVE); with dataDir, a snapshot there is loaded at start.
 */
export async function startRedis(port?: number, dataDir?: string): Promise<RedisServer> {
  assertRedisInstalled();
  const bound = port ?? (await freePort());
  const dataArgs = dataDir === undefined ? [] : ['--dir', dataDir, '--dbfilename', 'dump.rdb'];
  const child = spawn(REDIS_SERVER_PATH, ['--port', String(bound), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...dataArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  try {
    await waitForLine(child, /Ready to accept connections/);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  const pid = child.pid ?? -1;
  let stopped: Promise<void> | undefined;
  return {
    port: bound,
    url: `redis://127.0.0.1:${bound}`,
    pid,
    stop(): Promise<void> {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
        await exited;
      })();
      return stopped;
    },
  };
}

/** Resolves when a line of the child's stdout matches; rejects if it exits or times out first. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => { done(new Error(`no line matching ${String(pattern)} within ${timeoutMs} ms; output: ${seen.slice(-2000)}`)); }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = pattern.exec(seen);
      if (match) done(undefined, match);
    };
    const onExit = (): void => { done(new Error(`process exited before printing ${String(pattern)}; output: ${seen.slice(-2000)}`)); };
    const done = (error: Error | undefined, match?: RegExpMatchArray): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (match) resolve(match);
      else reject(error ?? new Error('unreachable'));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}
