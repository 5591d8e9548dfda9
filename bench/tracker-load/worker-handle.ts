/** The parent's side of one load worker (worker-main.ts). */
import type { ChildProcess } from 'node:child_process';
import { nextMessage, spawnTsChild, stopChild } from './child-process.js';
import type { LoadReport, WorkerCommand, WorkerPlan, WorkerReport } from './ipc.js';

/** Longer than the worker's own connect deadline. */
const CONNECT_TIMEOUT_MS = 200_000;
const STATUS_TIMEOUT_MS = 30_000;
/** A worker that has not exited this long after 'close' is killed. */
const STOP_GRACE_MS = 2_000;
/** Extra Node flags for each load worker (TRACKER_BENCH_WORKER_NODE_ARGS), e.g. '--cpu-prof --cpu-prof-dir=.tmp/prof'. */
const EXTRA_NODE_ARGS = (process.env.TRACKER_BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

type Connected = Extract<WorkerReport, { type: 'connected' }>;
type Status = Extract<WorkerReport, { type: 'status' }>;

export class WorkerHandle {
  readonly #child: ChildProcess;

  constructor(cpu: number | undefined) {
    this.#child = spawnTsChild('worker-main.ts', [], { ...(cpu === undefined ? {} : { cpu }), nodeArgs: EXTRA_NODE_ARGS });
  }

  /** Hands the worker its peers; resolves once they are connected and joined (or failed). */
  connect(plan: WorkerPlan): Promise<Connected> {
    const reply = nextMessage(this.#child, (m) => pick<Connected>(m, 'connected'), CONNECT_TIMEOUT_MS, 'worker connect');
    this.#send({ type: 'plan', plan });
    return reply;
  }

  load(durationMs: number, churnPerSec: number, exchanges: boolean): Promise<LoadReport> {
    const reply = nextMessage(this.#child, (m) => pick<LoadReport>(m, 'load-done'), durationMs + 60_000, 'worker load');
    this.#send({ type: 'load', durationMs, churnPerSec, exchanges });
    return reply;
  }

  status(): Promise<Status> {
    const reply = nextMessage(this.#child, (m) => pick<Status>(m, 'status'), STATUS_TIMEOUT_MS, 'worker status');
    this.#send({ type: 'status' });
    return reply;
  }

  /** Asks the worker to drop its sockets and exit, then kills it by PID if it has not. */
  stop(): Promise<void> {
    return stopChild(this.#child, STOP_GRACE_MS);
  }

  #send(cmd: WorkerCommand): void {
    if (this.#child.connected) this.#child.send(cmd);
  }
}

function pick<T extends WorkerReport>(msg: unknown, type: T['type']): T | undefined {
  return (msg as WorkerReport).type === type ? (msg as T) : undefined;
}
