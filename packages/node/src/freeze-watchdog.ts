/**
 * Ends a process whose main thread stopped running, so its supervisor (systemd, a container runtime,
 * a test harness) starts it again.
 *
 * Why: node-datachannel 0.33.4 (the newest on npm) can deadlock inside libdatachannel when a
 * TURN-relayed connection starts DTLS: libjuice's poll thread holds its lock while starting the DTLS
 * transport, which waits for the SSL mutex, while a worker thread holds that mutex mid-handshake and
 * waits for libjuice's lock to send through the relay (libdatachannel PR #1630, merged after that
 * release). The JavaScript thread joins the deadlock at its next send. Nothing in the process runs
 * again: no timer, no signal handler, so SIGTERM is never handled either.
 *
 * How: the main thread bumps a shared counter every beat; a worker thread (which the deadlock does
 * not touch) looks every beat and, once the counter has stood still for freezeMs, writes one line to
 * stderr and sends the process SIGKILL. The worker is unref'd: it never keeps a process alive.
 */
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

export interface FreezeWatchdogOptions {
  /** The main thread silent this long, ms, ends the process. At least 200. */
  readonly freezeMs: number;
  /** Names the process in the stderr line. @default 'swarmcast' */
  readonly label?: string;
}

export interface FreezeWatchdog {
  /** Stops watching (the worker ends); idempotent. */
  stop(): void;
}

/** Words every freeze line starts with, for supervisors and tests that look for it. */
export const FREEZE_EXIT_MESSAGE = 'main thread frozen';

const MIN_FREEZE_MS = 200;
/** Beats per freeze window: a late beat or two never looks like a freeze. */
const BEATS_PER_WINDOW = 5;

/** Runs in the worker: plain JavaScript, no imports of ours, no TypeScript loader needed. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const cells = new Int32Array(workerData.shared);
const beatMs = workerData.beatMs;
let last = Atomics.load(cells, 0);
let stillSince = Date.now();
for (;;) {
  // Wakes early when stop() sets cell 1.
  Atomics.wait(cells, 1, 0, beatMs);
  if (Atomics.load(cells, 1) !== 0) break;
  const now = Date.now();
  const beat = Atomics.load(cells, 0);
  if (beat !== last) { last = beat; stillSince = now; continue; }
  if (now - stillSince >= workerData.freezeMs) {
    try { writeSync(2, workerData.label + ': ${FREEZE_EXIT_MESSAGE} for ' + String(now - stillSince) + ' ms: ending the process (pid ' + String(process.pid) + ')\\n'); } catch {}
    process.kill(process.pid, 'SIGKILL');
  }
}
`;

export function startFreezeWatchdog(options: FreezeWatchdogOptions): FreezeWatchdog {
  if (!Number.isFinite(options.freezeMs) || options.freezeMs < MIN_FREEZE_MS) {
    throw new Error(`Invalid freeze watchdog: freezeMs must be a number >= ${String(MIN_FREEZE_MS)}, got ${String(options.freezeMs)}`);
  }
  const shared = new SharedArrayBuffer(8);
  const cells = new Int32Array(shared);
  const beatMs = Math.max(20, Math.floor(options.freezeMs / BEATS_PER_WINDOW));
  // execArgv []: the worker needs none of the process's loaders (e.g. a TypeScript one).
  const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { shared, beatMs, freezeMs: options.freezeMs, label: options.label ?? 'swarmcast' } });
  worker.unref();
  const beat = setInterval(() => Atomics.add(cells, 0, 1), beatMs);
  beat.unref();
  worker.on('error', (error) => {
    // The watchdog failing must not take the process down; say so once, and stop beating for nobody.
    clearInterval(beat);
    try {
      writeSync(2, `${options.label ?? 'swarmcast'}: freeze watchdog stopped: ${error.message}\n`);
    } catch {
      // stderr gone: nothing else to tell
    }
  });
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(beat);
      Atomics.store(cells, 1, 1);
      Atomics.notify(cells, 1);
    },
  };
}
