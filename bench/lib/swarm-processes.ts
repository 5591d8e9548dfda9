/**
 * bench:swarm's peer processes, seen from the parent: forks swarm-child.ts (through tsx, with an IPC
 * channel; the child exits when the channel closes), waits for it to be ready, starts it, and
 * collects its result. close() asks for a result-less stop by closing the channel and kills the
 * process by its PID after a grace period.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { asChildMessage, type ChildMessage, type StartMessage } from './swarm-messages.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CHILD = join(import.meta.dirname, 'swarm-child.ts');
/** A child not ready (tsx loaded, IPC up) within this is a failure. */
const READY_TIMEOUT_MS = 60_000;
/** After the channel closes, a child gets this long to exit before SIGKILL. */
const EXIT_GRACE_MS = 20_000;
/** Kept of a child's stderr, for failure messages. */
const STDERR_KEPT_CHARS = 4_000;

export type ChildResult = Extract<ChildMessage, { type: 'result' }>;
export type ChildProgress = Extract<ChildMessage, { type: 'progress' }>;

export class SwarmChild {
  private readonly child: ChildProcess;
  private stderrTail = '';
  private readonly exited: Promise<void>;
  private readonly ready: Promise<void>;
  private resultValue: Promise<ChildResult>;
  private closing: Promise<void> | undefined;
  latestProgress: ChildProgress | undefined;

  /** `cpuProfDir`: the child writes a V8 CPU profile there when it exits (node --cpu-prof). */
  constructor(readonly index: number, cpuProfDir?: string) {
    const profiling = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
    this.child = fork(CHILD, [], { cwd: ROOT, execArgv: ['--import', 'tsx', ...profiling], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_KEPT_CHARS);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => { resolve(); }));
    const gone = this.exited.then(() => { throw new Error(`peer process #${index} exited early: ${this.stderrTail}`); });
    this.ready = withTimeout(Promise.race([this.waitFor('ready'), gone]), READY_TIMEOUT_MS, () => `peer process #${index} not ready within ${READY_TIMEOUT_MS} ms`).then(() => undefined);
    this.resultValue = Promise.race([this.waitFor('result'), gone]);
    // Rejections are read by whoever awaits them; none may go unhandled meanwhile.
    this.ready.catch(() => undefined);
    this.resultValue.catch(() => undefined);
    this.child.on('message', (raw) => {
      const message = asChildMessage(raw);
      if (message?.type === 'progress') this.latestProgress = message;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  start(message: StartMessage): void {
    this.child.send(message);
  }

  /** Asks the child to stop its peers now and report. */
  requestStop(): void {
    if (this.child.connected) this.child.send({ type: 'stop' });
  }

  /** Its result, or a rejection when it exits without one or `timeoutMs` passes. */
  result(timeoutMs: number): Promise<ChildResult> {
    return withTimeout(this.resultValue, timeoutMs, () => `peer process #${this.index} sent no result within ${timeoutMs} ms: ${this.stderrTail}`);
  }

  /** Closes the channel (the child stops and exits), SIGKILL by PID after EXIT_GRACE_MS. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return;
      if (this.child.connected) this.child.disconnect();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.child.kill('SIGKILL');
          resolve();
        }, EXIT_GRACE_MS);
      });
      await Promise.race([this.exited, killed]);
      clearTimeout(timer);
      await this.exited;
    })();
    return this.closing;
  }

  /** Kills it at once (a signal handler's sure part). */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private waitFor<T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve) => {
      const onMessage = (raw: unknown): void => {
        const message = asChildMessage(raw);
        if (message?.type !== type) return;
        this.child.off('message', onMessage);
        resolve(message as Extract<ChildMessage, { type: T }>);
      };
      this.child.on('message', onMessage);
    });
  }
}

/** `promise`, or a rejection with message() after `ms`; the timer is cleared once either settles. */
function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(message())); }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => { clearTimeout(timer); });
}
