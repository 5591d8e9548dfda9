/**
 * A tracker node in its own process (src/main.ts through tsx), so a test can kill it for real
 * (SIGKILL: no goodbye to Redis or to peers) or stop it with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitForLine } from './redis-server.js';

const MAIN = join(import.meta.dirname, '..', 'src', 'main.ts');
/** tsx compiles on start: slow on a loaded machine. */
const START_TIMEOUT_MS = 30_000;

export interface TrackerProcess {
  readonly url: string;
  readonly httpUrl: string;
  readonly pid: number;
  /** Everything it printed so far. */
  output(): string;
  /** Sends signal and waits for the exit; resolves with the exit code (null when killed by a signal). */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null>;
}

/** Starts `main.ts args` with env added; resolves once it listens. */
export async function startTrackerProcess(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<TrackerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
  let match: RegExpMatchArray;
  try {
    match = await waitForLine(child, /listening on (ws:\/\/[^\s]+) \(stats: (http:\/\/[^\s/]+)\/stats\)/, START_TIMEOUT_MS);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  const pid = child.pid ?? -1;
  return {
    url: match[1] ?? '',
    httpUrl: match[2] ?? '',
    pid,
    output: () => log,
    async stop(signal): Promise<number | null> {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
      return exited;
    },
  };
}
