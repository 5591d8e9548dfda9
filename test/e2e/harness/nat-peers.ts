/**
 * Starts nat-peer-child.ts in a lab host's namespace and keeps its latest report. stop() closes its
 * stdin (it then reports once more, closes its peer and exits), and kills it by PID after a grace.
 *
 * It also acts as the child's supervisor. node-datachannel 0.33.4 can deadlock a process on a
 * TURN-relayed connection (see @swarmcast/node freeze-watchdog.ts; seen in about 1 run in 15 of the
 * TURN matrix on a loaded machine, always on a peer behind a symmetric NAT). The child's watchdog then
 * ends it, and it is started again, once, as systemd would restart an edge peer; restarts() counts it
 * for the run's figures.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { FREEZE_EXIT_MESSAGE } from '@swarmcast/node';
import type { LabHost, NatLab } from './nat-lab.js';
import { parseNatPeerReport, type NatPeerOptions, type NatPeerReport } from './nat-peer-report.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CHILD = join(import.meta.dirname, 'nat-peer-child.ts');
const STOP_GRACE_MS = 10_000;
/** A frozen child is started again at most this often per host. */
const MAX_RESTARTS = 1;

export interface NatPeer {
  readonly host: LabHost;
  /** The last report it wrote (undefined before the first). */
  latest(): NatPeerReport | undefined;
  /** How often it froze and was started again (see the top of this file). */
  restarts(): number;
  /** Its stderr so far (the end of it) and how it exited, for failure messages. */
  stderr(): string;
  /** Stops it; resolves with its final report. Idempotent. */
  stop(): Promise<NatPeerReport | undefined>;
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

export function startNatPeer(lab: NatLab, host: LabHost, options: NatPeerOptions): NatPeer {
  const startedAtMs = performance.now();
  let latest: NatPeerReport | undefined;
  let stderr = '';
  let exit = '';
  let restarts = 0;
  let stopping = false;
  let child: Child;
  let exited: Promise<void>;
  const launch = (): void => {
    const [cmd = '', ...args] = lab.command(host, [process.execPath, '--import', 'tsx', CHILD, JSON.stringify(options)]);
    const c = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let buffered = '';
    c.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline !== -1) {
        latest = parseNatPeerReport(buffered.slice(0, newline)) ?? latest;
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
    });
    let ownStderr = '';
    c.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      ownStderr += text;
      stderr = (stderr + text).slice(-4000);
    });
    exited = new Promise<void>((resolve) => c.once('exit', (code, signal) => {
      exit = `exited with ${signal ?? String(code)} after ${String(Math.round(performance.now() - startedAtMs))} ms${restarts > 0 ? ` (restarted ${String(restarts)} time(s))` : ''}`;
      const frozen = signal === 'SIGKILL' && ownStderr.includes(FREEZE_EXIT_MESSAGE);
      if (frozen && !stopping && restarts < MAX_RESTARTS) {
        restarts += 1;
        launch();
        void exited.then(resolve);
        return;
      }
      resolve();
    }));
    child = c;
  };
  launch();
  let stopped: Promise<NatPeerReport | undefined> | undefined;
  return {
    host,
    latest: () => latest,
    restarts: () => restarts,
    stderr: () => `${exit}\n${stderr}`,
    stop: () => {
      stopped ??= (async () => {
        stopping = true;
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
