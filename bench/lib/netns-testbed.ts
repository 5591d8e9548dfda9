/**
 * Constrained mode's network: inside the benchmark's own (loopback-only) namespace, the servers'
 * address 10.77.0.1/24 and per viewer slot k a network namespace (held by a `unshare -n` process)
 * whose `eth0` has 10.77.0.(k+2)/24. The upload cap is tbf on the viewer side's `eth0` egress.
 * - Without --rtt-ms: `eth0` is one end of a veth pair whose other end `vb<k>` is on a bridge `br0`
 *   that holds 10.77.0.1.
 * - With --rtt-ms: `eth0` is a TUN device of the userspace delay line (delay-line.py; this
 *   kernel has no netem), which holds each packet rtt/2 per viewer access link it crosses; the
 *   servers' side is its TUN `ts0`. So viewer <-> server RTT = rtt and viewer <-> viewer RTT =
 *   2 x rtt (two access links), like two homes on the same ISP.
 * Everything is removed by close(): holder and delay-line processes by PID, links by name.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readlinkSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH } from '../../test/e2e/harness/browser.js';
import { sleep } from '../../test/e2e/harness/schedule.js';

/** Where the origin and the tracker listen: the bridge's address. */
export const SERVER_ADDRESS = '10.77.0.1';
const BRIDGE = 'br0';
/** tbf bucket: one 1500-byte packet is the least it can be; a few allow the usual small burst. */
const TBF_BURST_BYTES = 4500;
/** tbf queue: packets waiting longer than this are dropped (a home router's buffer). */
const TBF_LATENCY_MS = 200;
const HOLDER_READY_TIMEOUT_MS = 5000;

export interface Shaping {
  readonly uploadKbps: number | null;
  readonly rttMs: number | null;
}

export interface ViewerSlot {
  readonly index: number;
  /** /proc/<holder>/ns/net: the namespace's handle for nsenter. */
  readonly nsPath: string;
  /** The inode id of the namespace (readlink of nsPath), to find its processes in /proc. */
  readonly nsId: string;
  readonly address: string;
  /** /proc/<holder>/net/dev: the namespace's interface counters (eth0's tx bytes = the viewer's upload). */
  readonly procNetDev: string;
  /** A script that runs Chromium inside this namespace (Playwright's executablePath). */
  readonly chromiumWrapper: string;
}

export interface Testbed {
  readonly slots: readonly ViewerSlot[];
  readonly shaping: Shaping;
  /** Removes every namespace, link, process and temp file it made; idempotent. */
  close(): Promise<void>;
  /**
   * For a signal handler that must not wait: kills the holders and the delay line by PID and removes
   * the temp dir now (the namespaces and their links go with their last process).
   */
  closeNow(): void;
}

/** Throws a clear error when `ip`/`tc`/`nsenter`/`unshare` are missing or we are not in our own namespace. */
export function assertTestbedPossible(): void {
  for (const [tool, pkg] of [['ip', 'iproute2'], ['tc', 'iproute2'], ['nsenter', 'util-linux'], ['unshare', 'util-linux']] as const) {
    if (spawnSync(tool, ['-V'], { stdio: 'ignore' }).error) {
      throw new Error(`constrained mode needs \`${tool}\`: install it with apt-get install -y ${pkg}`);
    }
  }
  // Bridges and veths made in the machine's own namespace would outlive a crash and touch others' jobs.
  if (process.env.SWARMCAST_NETNS !== '1') {
    throw new Error('constrained mode must run inside the benchmark namespace: use npm run bench:live (scripts/in-netns.ts, root)');
  }
}

function run(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${String(r.status)}): ${r.stderr.trim()}`);
}

/** Runs a command inside a viewer's namespace. */
export function inSlot(nsPath: string, cmd: string, args: readonly string[]): void {
  run('nsenter', [`--net=${nsPath}`, '--', cmd, ...args]);
}

export async function createTestbed(count: number, shaping: Shaping): Promise<Testbed> {
  assertTestbedPossible();
  const holders: ChildProcess[] = [];
  let delayLine: ChildProcess | null = null;
  const links: string[] = [];
  const tempDir = await mkdtemp(join(tmpdir(), 'swarmcast-netbench-'));
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      for (const link of [...links].reverse()) spawnSync('ip', ['link', 'del', link], { stdio: 'ignore' });
      // The namespace (and its eth0) goes with the last process in it: Chromium is closed first by the caller.
      await Promise.all([...holders, ...(delayLine ? [delayLine] : [])].map((h) => stopHolder(h)));
      await rm(tempDir, { recursive: true, force: true });
    })();
    return closed;
  };
  try {
    const delayed = shaping.rttMs !== null && shaping.rttMs > 0;
    const addresses = Array.from({ length: count }, (_, k) => `10.77.0.${String(k + 2)}`);
    if (delayed) {
      delayLine = await startDelayLine(shaping.rttMs / 2, addresses);
      run('ip', ['addr', 'add', `${SERVER_ADDRESS}/24`, 'dev', SERVER_TUN]);
      run('ip', ['link', 'set', SERVER_TUN, 'up']);
    } else {
      run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
      links.push(BRIDGE);
      run('ip', ['addr', 'add', `${SERVER_ADDRESS}/24`, 'dev', BRIDGE]);
      run('ip', ['link', 'set', BRIDGE, 'up']);
    }
    const slots: ViewerSlot[] = [];
    for (const [index, address] of addresses.entries()) {
      const holder = await startHolder();
      holders.push(holder);
      const pid = String(holder.pid ?? 0);
      const nsPath = `/proc/${pid}/ns/net`;
      if (delayed) {
        run('ip', ['link', 'set', viewerTun(index), 'netns', pid]);
        inSlot(nsPath, 'ip', ['link', 'set', viewerTun(index), 'name', 'eth0']);
      } else {
        const hostLink = `vb${String(index)}`;
        run('ip', ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pid]);
        links.push(hostLink);
        run('ip', ['link', 'set', hostLink, 'master', BRIDGE, 'up']);
      }
      inSlot(nsPath, 'ip', ['link', 'set', 'lo', 'up']);
      inSlot(nsPath, 'ip', ['addr', 'add', `${address}/24`, 'dev', 'eth0']);
      inSlot(nsPath, 'ip', ['link', 'set', 'eth0', 'up']);
      // A default route makes eth0 the interface Chromium's ICE gathers on without camera permission.
      inSlot(nsPath, 'ip', ['route', 'add', 'default', ...(delayed ? ['dev', 'eth0'] : ['via', SERVER_ADDRESS])]);
      if (shaping.uploadKbps !== null) {
        inSlot(nsPath, 'tc', ['qdisc', 'add', 'dev', 'eth0', 'root', 'tbf', 'rate', `${String(shaping.uploadKbps)}kbit`,
          'burst', String(TBF_BURST_BYTES), 'latency', `${String(TBF_LATENCY_MS)}ms`]);
      }
      const chromiumWrapper = join(tempDir, `chromium-${String(index)}.sh`);
      await writeFile(chromiumWrapper, `#!/bin/sh\nexec nsenter --net=${nsPath} -- ${CHROMIUM_PATH} "$@"\n`);
      await chmod(chromiumWrapper, 0o755);
      slots.push({ index, nsPath, nsId: readlinkSync(nsPath), address, procNetDev: `/proc/${pid}/net/dev`, chromiumWrapper });
    }
    const closeNow = (): void => {
      for (const p of [...holders, ...(delayLine ? [delayLine] : [])]) p.kill('SIGKILL');
      rmSync(tempDir, { recursive: true, force: true });
    };
    return { slots, shaping, close, closeNow };
  } catch (error) {
    await close();
    throw error;
  }
}

const SERVER_TUN = 'ts0';
const viewerTun = (index: number): string => `tv${String(index)}`;

/** Starts delay-line.py with one TUN per viewer and waits until its devices exist. */
async function startDelayLine(halfDelayMs: number, addresses: readonly string[]): Promise<ChildProcess> {
  const script = join(import.meta.dirname, 'delay-line.py');
  const specs = addresses.map((a, i) => `${viewerTun(i)}=${a}`);
  const line = spawn('python3', [script, String(halfDelayMs), SERVER_TUN, ...specs], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error('delay line: no "ready" in time')); }, HOLDER_READY_TIMEOUT_MS);
    line.once('error', (error) => { clearTimeout(timer); reject(new Error(`delay line needs python3 (apt-get install -y python3): ${error.message}`)); });
    line.once('exit', (code) => { clearTimeout(timer); reject(new Error(`delay line exited with ${String(code)}`)); });
    line.stdout.once('data', () => { clearTimeout(timer); resolve(); });
  });
  return line;
}

/**
 * A process that owns a fresh network namespace. It reads its stdin until EOF, so it also ends when
 * the benchmark dies without cleaning up (the pipe closes).
 */
async function startHolder(): Promise<ChildProcess> {
  const holder = spawn('unshare', ['-n', '--', 'sh', '-c', 'cat >/dev/null'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const own = readlinkSync('/proc/self/ns/net');
  const deadline = performance.now() + HOLDER_READY_TIMEOUT_MS;
  // unshare switches namespaces just after spawn: wait until it has.
  while (performance.now() < deadline) {
    if (holder.exitCode !== null) throw new Error(`unshare -n exited with ${String(holder.exitCode)}`);
    try {
      if (holder.pid !== undefined && readlinkSync(`/proc/${String(holder.pid)}/ns/net`) !== own) return holder;
    } catch {
      // /proc entry not there yet
    }
    await sleep(20);
  }
  await stopHolder(holder);
  throw new Error('unshare -n did not create a namespace in time');
}

async function stopHolder(holder: ChildProcess): Promise<void> {
  if (holder.exitCode !== null || holder.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => holder.once('exit', () => { resolve(); }));
  holder.stdin?.end();
  holder.kill('SIGTERM');
  await exited;
}
