/**
 * The signing sidecar as a broadcaster runs it beside the origin: `swarmcast sign` in its own
 * process, publishing records to the tracker and serving them over HTTP (--records-port), so the
 * records outlive a tracker outage.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { waitForLine } from '../../packages/tracker/test/redis-server.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'packages', 'cli', 'src', 'main.ts');
/** tsx compiles on start: slow on a loaded machine. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface SignProcessOptions {
  readonly streamUrl: string;
  readonly keyFile: string;
  /** The tracker's ws://.../authority. */
  readonly publishUrl: string;
  readonly secret: string;
}

export interface SignProcess {
  /** Its live records URL (the players' integrityRecordsUrl). */
  readonly recordsUrl: string;
  readonly pid: number;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM (SIGKILL if it does not stop in time) and waits for the exit; idempotent. */
  stop(): Promise<void>;
}

export async function startSignProcess(options: SignProcessOptions): Promise<SignProcess> {
  const args = ['--import', 'tsx', CLI, 'sign', '--stream', options.streamUrl, '--key', options.keyFile, '--publish', options.publishUrl, '--records-port', '0'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Not on the command line, where `ps` shows it.
    env: { ...process.env, SWARMCAST_AUTHORITY_SECRET: options.secret },
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const exited = new Promise<void>((done) => {
    child.once('exit', () => { done(); });
    child.once('error', () => { done(); });
  });
  let match: RegExpMatchArray;
  try {
    match = await waitForLine(child, /live records at (http:\/\/\S+)/, START_TIMEOUT_MS);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    recordsUrl: match[1] ?? '',
    pid: child.pid ?? -1,
    output: () => log,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}
