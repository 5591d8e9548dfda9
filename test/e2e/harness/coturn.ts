/**
 * A coturn TURN server on loopback for one test run: a temp dir with its config, started as a child
 * process (so inside the test's loopback-only network namespace), stopped by its PID. Auth is the
 * TURN REST convention (use-auth-secret + static-auth-secret) the tracker mints credentials for.
 * Its log is kept, and the per-session usage lines coturn writes (deltas, the last as an allocation
 * ends) are summed into bytes relayed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const TURNSERVER_PATH = '/usr/bin/turnserver';
const REALM = 'swarmcast.test';
/** Relay ports of one server: room for a few dozen allocations. */
const RELAY_PORT_COUNT = 100;
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface CoturnOptions {
  /** The static-auth-secret; a random one by default. */
  readonly secret?: string;
  /** The address it listens and relays on (the NAT lab's public side, say). @default '127.0.0.1' */
  readonly address?: string;
}

/** An allocation coturn granted: `session ...: new, realm=<...>, username=<...>, lifetime=...`. */
export interface CoturnAllocation {
  readonly session: string;
  readonly username: string;
}

/** Packets and bytes coturn received and sent on one side of an allocation. */
export interface CoturnTraffic {
  readonly receivedPackets: number;
  readonly receivedBytes: number;
  readonly sentPackets: number;
  readonly sentBytes: number;
}

/** One closed allocation's traffic: the sum of the `usage:` and `peer usage:` lines coturn logged for it. */
export interface CoturnSessionUsage {
  readonly session: string;
  readonly username: string;
  /** Between coturn and its client (the viewer), TURN framing included. */
  readonly client: CoturnTraffic;
  /** Between the allocation's relay address and the peers it relays to (payload only). */
  readonly peer: CoturnTraffic;
}

export interface Coturn {
  readonly pid: number;
  /** The listening port (UDP and TCP) on `address`. */
  readonly port: number;
  /** What the tracker's `turn.urls` should be. */
  readonly urls: string[];
  readonly secret: string;
  readonly realm: string;
  /** The relay port range given to coturn (inclusive). */
  readonly relayPorts: { readonly min: number; readonly max: number };
  /** Everything coturn wrote so far. */
  log(): string;
  /** Allocations granted so far (each authenticated with a TURN REST username). */
  allocations(): CoturnAllocation[];
  /** Authenticated sessions that ended so far (coturn logs usage at the end of each allocation). */
  sessions(): CoturnSessionUsage[];
  /** SIGTERM, then SIGKILL if it lingers; removes the temp dir. Idempotent. */
  close(): Promise<void>;
}

export function assertCoturnInstalled(): void {
  if (!existsSync(TURNSERVER_PATH)) {
    throw new Error(`e2e: ${TURNSERVER_PATH} not found. Install coturn with: apt-get install -y coturn`);
  }
}

export async function startCoturn(options: CoturnOptions = {}): Promise<Coturn> {
  assertCoturnInstalled();
  const secret = options.secret ?? randomBytes(24).toString('base64url');
  const address = options.address ?? '127.0.0.1';
  const port = await freeUdpPort(address);
  const relayPorts = await freeUdpRange(RELAY_PORT_COUNT, port, address);
  const dir = await mkdtemp(join(tmpdir(), 'swarmcast-coturn-'));
  const configFile = join(dir, 'turnserver.conf');
  await writeFile(
    configFile,
    [
      `listening-ip=${address}`,
      `relay-ip=${address}`,
      `listening-port=${port}`,
      `min-port=${relayPorts.min}`,
      `max-port=${relayPorts.max}`,
      // Peers are on loopback too; coturn refuses to relay to 127.0.0.0/8 without this.
      'allow-loopback-peers',
      'fingerprint',
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      `realm=${REALM}`,
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-multicast-peers',
      'no-software-attribute',
      `pidfile=${join(dir, 'turnserver.pid')}`,
      `userdb=${join(dir, 'turndb')}`,
      'log-file=stdout',
      'simple-log',
      // Session lines (allocations, their user, the usage at the end) are logged at this level only.
      'verbose',
      '',
    ].join('\n'),
  );
  let output = '';
  let child: ChildProcess;
  try {
    child = spawn(TURNSERVER_PATH, ['-c', configFile], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, 'SIGTERM');
        const stopped = await Promise.race([exited.then(() => true), delay(STOP_TIMEOUT_MS).then(() => false)]);
        if (!stopped) {
          process.kill(child.pid, 'SIGKILL');
          await exited;
        }
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return closed;
  };

  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('turnserver did not start');
    await waitForStun(address, port, exited, () => output);
    return {
      pid,
      port,
      urls: [`turn:${address}:${port}?transport=udp`],
      secret,
      realm: REALM,
      relayPorts,
      log: () => output,
      allocations: () => parseAllocations(output),
      sessions: () => parseUsage(output),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** coturn's line for a new allocation (verbose). */
export function parseAllocations(log: string): CoturnAllocation[] {
  return [...log.matchAll(/session (\d+): new, realm=<[^>]*>, username=<([^>]*)>/g)].map((m) => ({ session: m[1] ?? '', username: m[2] ?? '' }));
}

/**
 * coturn's usage lines, e.g.
 * `session 001000000000000001: usage: realm=<swarmcast.test>, username=<1700000000:abc>, rp=12, rb=3456, sp=12, sb=3456`
 * then the same with `peer usage:`. Each pair is a delta: coturn (4.6) logs one whenever a session's
 * four packet counters together reach a multiple of 4096, resets them, and logs a last one, forced,
 * as the session closes (`session ...: closed (2nd stage), ...`). So a session's traffic is the sum
 * of all its lines, and it is listed only once its closed line is in the log. Sessions that never
 * authenticated (username <>: a first Allocate answered 401 on a socket then dropped) are left out.
 */
export function parseUsage(log: string): CoturnSessionUsage[] {
  const found = new Map<string, { username: string; client: CoturnTraffic; peer: CoturnTraffic; closed: boolean }>();
  const none: CoturnTraffic = { receivedPackets: 0, receivedBytes: 0, sentPackets: 0, sentBytes: 0 };
  const add = (a: CoturnTraffic, b: CoturnTraffic): CoturnTraffic => ({
    receivedPackets: a.receivedPackets + b.receivedPackets,
    receivedBytes: a.receivedBytes + b.receivedBytes,
    sentPackets: a.sentPackets + b.sentPackets,
    sentBytes: a.sentBytes + b.sentBytes,
  });
  const pattern = /session (\d+): (?:(peer )?usage: realm=<[^>]*>, username=<([^>]*)>, rp=(\d+), rb=(\d+), sp=(\d+), sb=(\d+)|(closed) )/g;
  for (const m of log.matchAll(pattern)) {
    const [, session = '', peerSide, username = '', rp, rb, sp, sb, closed] = m;
    const entry = found.get(session) ?? { username, client: none, peer: none, closed: false };
    if (closed !== undefined) {
      entry.closed = true;
    } else {
      const traffic: CoturnTraffic = { receivedPackets: Number(rp), receivedBytes: Number(rb), sentPackets: Number(sp), sentBytes: Number(sb) };
      if (entry.username === '') entry.username = username;
      if (peerSide === undefined) entry.client = add(entry.client, traffic);
      else entry.peer = add(entry.peer, traffic);
    }
    found.set(session, entry);
  }
  return [...found].flatMap(([session, { username, client, peer, closed }]) => (closed && username !== '' ? [{ session, username, client, peer }] : []));
}

/** Waits until the server answers a STUN Binding request on address:port. */
async function waitForStun(address: string, port: number, exited: Promise<void>, log: () => string): Promise<void> {
  const state = { exited: false };
  void exited.then(() => {
    state.exited = true;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (state.exited) throw new Error(`turnserver exited at start:\n${log().slice(-4000)}`);
    if (await stunBinding(address, port, 200)) return;
  }
  throw new Error(`turnserver did not answer STUN on ${address}:${port} within ${START_TIMEOUT_MS} ms:\n${log().slice(-4000)}`);
}

/** Sends one STUN Binding request (RFC 8489); true if a response with its transaction id came back. */
function stunBinding(address: string, port: number, timeoutMs: number): Promise<boolean> {
  const transactionId = randomBytes(12);
  const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), transactionId]);
  const socket = createSocket('udp4');
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => {
      done(false);
    }, timeoutMs);
    socket.on('error', () => {
      done(false);
    });
    socket.on('message', (msg) => {
      if (msg.length >= 20 && msg.subarray(8, 20).equals(transactionId)) done(true);
    });
    socket.send(request, port, address);
  });
}

/** A UDP port on `address` that nothing holds now (the kernel's choice). */
async function freeUdpPort(address: string): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, address, resolve);
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => {
    socket.close(resolve);
  });
  return port;
}

async function udpPortFree(port: number, address: string): Promise<boolean> {
  const socket = createSocket('udp4');
  const ok = await new Promise<boolean>((resolve) => {
    socket.once('error', () => {
      resolve(false);
    });
    socket.bind(port, address, () => {
      resolve(true);
    });
  });
  await new Promise<void>((resolve) => {
    try {
      socket.close(resolve);
    } catch {
      resolve();
    }
  });
  return ok;
}

/** `count` consecutive UDP ports, none held now and none equal to `avoid`, in the dynamic range. */
async function freeUdpRange(count: number, avoid: number, address: string): Promise<{ min: number; max: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const min = 49_152 + Math.floor(Math.random() * (65_535 - 49_152 - count));
    const max = min + count - 1;
    if (avoid >= min && avoid <= max) continue;
    let free = true;
    for (let p = min; p <= max && free; p++) free = await udpPortFree(p, address);
    if (free) return { min, max };
  }
  throw new Error(`no ${count} free consecutive UDP ports found for coturn's relays`);
}
