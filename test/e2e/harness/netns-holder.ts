/**
 * A process that owns a fresh network namespace (`unshare -n`), so other processes can join it with
 * nsenter --net=/proc/<pid>/ns/net. It reads stdin until EOF, so it also ends when its parent dies
 * without cleaning up; the namespace and its interfaces go with its last process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

const READY_TIMEOUT_MS = 5_000;

export interface NetnsHolder {
  readonly pid: number;
  /** /proc/<pid>/ns/net: the handle for nsenter. */
  readonly nsPath: string;
  /** Ends the holder (SIGTERM) and waits for it; idempotent. */
  stop(): Promise<void>;
  /** SIGKILL now, for handlers that cannot wait. */
  kill(): void;
}

export async function startNetnsHolder(): Promise<NetnsHolder> {
  const child: ChildProcess = spawn('unshare', ['-n', '--', 'sh', '-c', 'cat >/dev/null'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    child.kill('SIGTERM');
    await exited;
  };
  const own = readlinkSync('/proc/self/ns/net');
  const deadline = performance.now() + READY_TIMEOUT_MS;
  // unshare switches namespaces just after spawn: wait until it has.
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`unshare -n exited with ${String(child.exitCode)} (root needed)`);
    const pid = child.pid;
    try {
      if (pid !== undefined && readlinkSync(`/proc/${String(pid)}/ns/net`) !== own) {
        return { pid, nsPath: `/proc/${String(pid)}/ns/net`, stop, kill: () => { child.kill('SIGKILL'); } };
      }
    } catch {
      // /proc entry not there yet
    }
    await delay(20);
  }
  await stop();
  throw new Error('unshare -n did not create a namespace in time');
}
