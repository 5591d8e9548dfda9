/**
 * Starts nat-peer-child.ts in a lab host's namespace and keeps its latest report. stop() closes its
 * stdin (it then reports once more, closes its peer and exits), and kills it by PID after a grace.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { LabHost, NatLab } from './nat-lab.js';
import { parseNatPeerReport, type NatPeerOptions, type NatPeerReport } from './nat-peer-report.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CHILD = join(import.meta.dirname, 'nat-peer-child.ts');
const STOP_GRACE_MS = 10_000;

export interface NatPeer {
  readonly host: LabHost;
  /** The last report it wrote (undefined before the first). */
  latest(): NatPeerReport | undefined;
  /** Its stderr so far (the end of it) and how it exited, for failure messages. */
  stderr(): string;
  /** Stops it; resolves with its final report. Idempotent. */
  stop(): Promise<NatPeerReport | undefined>;
}

export function startNatPeer(lab: NatLab, host: LabHost, options: NatPeerOptions): NatPeer {
  const [cmd = '', ...args] = lab.command(host, [process.execPath, '--import', 'tsx', CHILD, JSON.stringify(options)]);
  const startedAtMs = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let latest: NatPeerReport | undefined;
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      latest = parseNatPeerReport(buffered.slice(0, newline)) ?? latest;
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let exit = '';
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exit = `exited with ${signal ?? String(code)} after ${String(Math.round(performance.now() - startedAtMs))} ms`;
    resolve();
  }));
  let stopped: Promise<NatPeerReport | undefined> | undefined;
  return {
    host,
    latest: () => latest,
    stderr: () => `${exit}\n${stderr}`,
    stop: () => {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.stdin.end();
          const ended = await Promise.race([exited.then(() => true), delay(STOP_GRACE_MS).then(() => false)]);
          if (!ended && child.pid !== undefined) {
            child.kill('SIGKILL');
            await exited;
          }
        }
        return latest;
      })();
      return stopped;
    },
  };
}
