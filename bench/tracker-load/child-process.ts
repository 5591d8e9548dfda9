/**
 * Spawning the benchmark's child processes: Node with tsx and an IPC channel, optionally pinned to
 * one CPU with taskset (which execs Node, so the child's PID is Node's), and killed by PID.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');

let tasksetWorks: boolean | undefined;

/** Whether `taskset -c 0 true` runs here (and the machine has 2+ CPUs, so pinning means something). */
export function canPin(): boolean {
  tasksetWorks ??= cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return tasksetWorks;
}

/** Starts `node [nodeArgs] --import tsx script args`, on CPU `cpu` when given and pinning works. */
export function spawnTsChild(script: string, args: readonly string[], options: { cpu?: number; nodeArgs?: readonly string[] } = {}): ChildProcess {
  const nodeCommand = [process.execPath, ...(options.nodeArgs ?? []), '--import', 'tsx', join(import.meta.dirname, script), ...args];
  const [command = '', ...rest] = options.cpu !== undefined && canPin() ? ['taskset', '-c', String(options.cpu), ...nodeCommand] : nodeCommand;
  return spawn(command, rest, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Sends SIGKILL to the child by its PID unless it already exited; resolves once it has. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.pid !== undefined) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await exited;
}

/**
 * Asks the child to exit (sends `close` over IPC) and kills it by PID if it has not within
 * graceMs; resolves once it exited. Idempotent.
 */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.send({ type: 'close' });
  const timer = setTimeout(() => void killChild(child), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resolves with the next IPC message for which pick returns a value; rejects if the child exits first or after timeoutMs. */
export function nextMessage<T>(child: ChildProcess, pick: (msg: unknown) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (msg: unknown): void => {
      const value = pick(msg);
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`${what}: child exited (${code ?? signal ?? '?'}) first`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
