/**
 * Constrained mode's network: inside the benchmark's own (loopback-only) namespace, a bridge `br0`
 * with the servers' address 10.77.0.1/24, and per viewer slot k a network namespace (held by a
 * `unshare -n` process) joined to the bridge by a veth pair: `vb<k>` on the bridge, `eth0` with
 * 10.77.0.(k+2) inside. Shaping (tc) on both ends of the pair:
 * - viewer side `eth0` egress (= the viewer's upload): tbf at the cap, then netem delay rtt/2;
 * - bridge side `vb<k>` egress (= the viewer's download): netem delay rtt/2, no rate limit.
 * So viewer <-> server RTT = rtt, viewer <-> viewer RTT = 2 x rtt (two access links), like two
 * homes on the same ISP. Everything is removed by close(): holder processes by PID, links by name.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
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
  /** The bridge side of the pair, in the benchmark's namespace: its rx bytes are the viewer's upload. */
  readonly hostLink: string;
  /** A script that runs Chromium inside this namespace (Playwright's executablePath). */
  readonly chromiumWrapper: string;
}

export interface Testbed {
  readonly slots: readonly ViewerSlot[];
  readonly shaping: Shaping;
  /** Removes every namespace, link, process and temp file it made; idempotent. */
  close(): Promise<void>;
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
  const links: string[] = [];
  const tempDir = await mkdtemp(join(tmpdir(), 'swarmcast-netbench-'));
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      for (const link of [...links].reverse()) spawnSync('ip', ['link', 'del', link], { stdio: 'ignore' });
      // The namespace (and its eth0) goes with the last process in it: Chromium is closed first by the caller.
      await Promise.all(holders.map((h) => stopHolder(h)));
      await rm(tempDir, { recursive: true, force: true });
    })();
    return closed;
  };
  try {
    run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    links.push(BRIDGE);
    run('ip', ['addr', 'add', `${SERVER_ADDRESS}/24`, 'dev', BRIDGE]);
    run('ip', ['link', 'set', BRIDGE, 'up']);
    const slots: ViewerSlot[] = [];
    for (let index = 0; index < count; index++) {
      const holder = await startHolder();
      holders.push(holder);
      const pid = holder.pid ?? 0;
      const nsPath = `/proc/${String(pid)}/ns/net`;
      const hostLink = `vb${String(index)}`;
      const address = `10.77.0.${String(index + 2)}`;
      run('ip', ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(pid)]);
      links.push(hostLink);
      run('ip', ['link', 'set', hostLink, 'master', BRIDGE, 'up']);
      inSlot(nsPath, 'ip', ['link', 'set', 'lo', 'up']);
      inSlot(nsPath, 'ip', ['addr', 'add', `${address}/24`, 'dev', 'eth0']);
      inSlot(nsPath, 'ip', ['link', 'set', 'eth0', 'up']);
      // A default route makes eth0 the interface Chromium's ICE gathers on without camera permission.
      inSlot(nsPath, 'ip', ['route', 'add', 'default', 'via', SERVER_ADDRESS]);
      applyShaping(nsPath, hostLink, shaping);
      const chromiumWrapper = join(tempDir, `chromium-${String(index)}.sh`);
      await writeFile(chromiumWrapper, `#!/bin/sh\nexec nsenter --net=${nsPath} -- ${CHROMIUM_PATH} "$@"\n`);
      await chmod(chromiumWrapper, 0o755);
      slots.push({ index, nsPath, nsId: readlinkSync(nsPath), address, hostLink, chromiumWrapper });
    }
    return { slots, shaping, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function applyShaping(nsPath: string, hostLink: string, shaping: Shaping): void {
  try {
    applyQdiscs(nsPath, hostLink, shaping);
  } catch (error) {
    if (error instanceof Error && /qdisc kind is unknown/.test(error.message) && /netem/.test(error.message)) {
      throw new Error('--rtt-ms needs the kernel\'s netem qdisc (CONFIG_NET_SCH_NETEM), which this kernel lacks: run without --rtt-ms (the upload cap uses tbf)', { cause: error });
    }
    throw error;
  }
}

function applyQdiscs(nsPath: string, hostLink: string, { uploadKbps, rttMs }: Shaping): void {
  const halfDelay = rttMs === null || rttMs === 0 ? null : `${String(rttMs / 2)}ms`;
  if (uploadKbps !== null) {
    inSlot(nsPath, 'tc', ['qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'tbf', 'rate', `${String(uploadKbps)}kbit`,
      'burst', String(TBF_BURST_BYTES), 'latency', `${String(TBF_LATENCY_MS)}ms`]);
    if (halfDelay !== null) inSlot(nsPath, 'tc', ['qdisc', 'add', 'dev', 'eth0', 'parent', '1:1', 'handle', '10:', 'netem', 'delay', halfDelay]);
  } else if (halfDelay !== null) {
    inSlot(nsPath, 'tc', ['qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'netem', 'delay', halfDelay]);
  }
  if (halfDelay !== null) run('tc', ['qdisc', 'add', 'dev', hostLink, 'root', 'netem', 'delay', halfDelay]);
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
