/**
 * The edge peer as an office runs it: `swarmcast edge` in its own process (its own event loop, not
 * the benchmark's, which drives the browsers), with its stats read from the file it rewrites.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EdgePeerStats } from '@swarmcast/node';
import { sleep } from '../../test/e2e/harness/schedule.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'packages', 'cli', 'src', 'main.ts');
/** How long the edge may take to join and fetch its first segment. */
const READY_TIMEOUT_MS = 15_000;
/** How long it may take to close its connections once told to stop. */
const STOP_TIMEOUT_MS = 10_000;

export interface EdgeProcessOptions {
  readonly streamUrl: string;
  readonly trackerUrl: string;
  /** Address its WebRTC sockets bind to (--bind-address). */
  readonly bindAddress: string;
  /** --upload-cap-kbps; null: uncapped. */
  readonly uploadCapKbps: number | null;
  /** Each line it prints (status lines, errors). */
  readonly log?: (line: string) => void;
}

export type EdgeProcessStats = EdgePeerStats & { readonly peerId: string | null };

export interface EdgeProcess {
  /** SIGTERM, then its final stats; SIGKILL if it does not stop in time. Idempotent. */
  stop(): Promise<EdgeProcessStats | null>;
}

/** Starts `swarmcast edge` and resolves once it holds a segment. */
export async function startEdgeProcess(options: EdgeProcessOptions): Promise<EdgeProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmcast-edge-'));
  const statsFile = join(dir, 'stats.json');
  const args = [
    '--import', 'tsx', CLI, 'edge',
    '--stream', options.streamUrl,
    '--tracker', options.trackerUrl,
    '--bind-address', options.bindAddress,
    '--status-every-s', '1',
    '--stats-file', statsFile,
    ...(options.uploadCapKbps === null ? [] : ['--upload-cap-kbps', String(options.uploadCapKbps)]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // 'error' without 'exit' when it could not be started at all.
  const exited = new Promise<void>((done) => {
    child.once('exit', () => { done(); });
    child.once('error', (error) => { options.log?.(`edge: ${error.message}`); done(); });
  });
  // An object: the flag changes in a callback, out of the type checker's sight.
  const state = { exited: false };
  void exited.then(() => { state.exited = true; });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => { for (const line of chunk.split('\n')) if (line !== '') options.log?.(line); });
  }
  const read = async (): Promise<EdgeProcessStats | null> => {
    try {
      return JSON.parse(await readFile(statsFile, 'utf8')) as EdgeProcessStats;
    } catch {
      return null;
    }
  };
  let stopping: Promise<EdgeProcessStats | null> | undefined;
  const stop = (): Promise<EdgeProcessStats | null> => {
    stopping ??= (async () => {
      if (!state.exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      const final = await read();
      await rm(dir, { recursive: true, force: true });
      return final;
    })();
    return stopping;
  };
  const handle: EdgeProcess = { stop };
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline && !state.exited) {
    const s = await read();
    if (s !== null && s.segments > 0) return handle;
    await sleep(100);
  }
  await stop();
  throw new Error(state.exited ? 'bench: the edge process exited before it held a segment' : `bench: the edge held no segment within ${READY_TIMEOUT_MS} ms`);
}
