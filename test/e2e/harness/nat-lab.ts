/**
 * A small Internet in network namespaces, for NAT traversal tests. Built inside the caller's own
 * namespace (scripts/in-netns.ts), which plays the public side: a bridge holding PUBLIC_SERVER_ADDRESS,
 * where the origin, the tracker and coturn listen. Per host k:
 * - 'open': the host's namespace sits on the bridge itself with a public address;
 * - otherwise a router namespace (WAN on the bridge with a public address, LAN 10.0.k.1/24) doing
 *   the NAT of nat-rules.ts, and the host's namespace behind it (10.0.k.2, default route via the router).
 * Nothing on the public side routes to 10.0.0.0/8: a host candidate of one home is unreachable from
 * another, as on the Internet (packets to it end in a sink link). close() removes links, namespaces (their holder processes) and all.
 */
import { spawnSync } from 'node:child_process';
import { natRules, type NatType } from './nat-rules.js';
import { startNetnsHolder, type NetnsHolder } from './netns-holder.js';

/** The public-side address of the servers (TEST-NET-3, never routed on the real Internet). */
export const PUBLIC_SERVER_ADDRESS = '203.0.113.1';
const PUBLIC_PREFIX = '203.0.113';
const BRIDGE = 'natbr0';
/**
 * Where packets to nowhere go on the public side: out of one end of a veth pair to a gateway whose
 * MAC is pinned (no ARP to fail), and the other end drops them (not its MAC, no forwarding).
 */
const SINK = 'natsink0';
const SINK_GATEWAY = '198.18.0.2';

export interface LabHost {
  /** e.g. 'symmetric-2'. */
  readonly name: string;
  readonly nat: NatType;
  /** The host namespace's handle for nsenter. */
  readonly nsPath: string;
  /** Its own address (private behind a NAT, public when open). */
  readonly address: string;
  /** Its router's WAN address (its own when open). */
  readonly publicAddress: string;
}

export interface NatLab {
  readonly hosts: readonly LabHost[];
  /** The command line that runs `argv` inside `host`'s namespace. */
  command(host: LabHost, argv: readonly string[]): string[];
  /** Removes every link and namespace; idempotent. Processes started inside must be stopped first. */
  close(): Promise<void>;
  /** For signal handlers: kills the namespace holders now. */
  closeNow(): void;
}

function run(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}${cmd === 'iptables' ? ' (apt-get install -y iptables)' : ''}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${String(r.status)}): ${r.stderr.trim()}`);
}

function inNs(nsPath: string, cmd: string, args: readonly string[]): void {
  run('nsenter', [`--net=${nsPath}`, '--', cmd, ...args]);
}

/** Throws a clear error when the tools are missing or the caller is in the machine's own namespace. */
export function assertNatLabPossible(): void {
  for (const [tool, pkg] of [['ip', 'iproute2'], ['nsenter', 'util-linux'], ['unshare', 'util-linux'], ['iptables', 'iptables']] as const) {
    if (spawnSync(tool, ['-V'], { stdio: 'ignore' }).error) throw new Error(`the NAT lab needs \`${tool}\`: apt-get install -y ${pkg}`);
  }
  // A bridge made in the machine's own namespace would outlive a crash and touch others' jobs.
  if (process.env.SWARMCAST_NETNS !== '1') throw new Error('the NAT lab must run inside its own namespace: scripts/in-netns.ts (root)');
}

/** Builds the lab with one host per entry of `nats`. */
export async function createNatLab(nats: readonly NatType[]): Promise<NatLab> {
  assertNatLabPossible();
  const holders: NetnsHolder[] = [];
  const links: string[] = [];
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      for (const link of [...links].reverse()) spawnSync('ip', ['link', 'del', link], { stdio: 'ignore' });
      await Promise.all(holders.map((h) => h.stop()));
    })();
    return closed;
  };
  try {
    run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    links.push(BRIDGE);
    run('ip', ['addr', 'add', `${PUBLIC_SERVER_ADDRESS}/24`, 'dev', BRIDGE]);
    run('ip', ['link', 'set', BRIDGE, 'up']);
    // The Internet drops a packet to a private address silently. Without a route the sender gets
    // ENETUNREACH instead, and coturn closes an allocation whose relay socket sees that (it relays
    // ICE checks to the peers' host candidates, 10.0.k.2).
    run('ip', ['link', 'add', SINK, 'type', 'veth', 'peer', 'name', `${SINK}p`]);
    links.push(SINK);
    run('ip', ['addr', 'add', '198.18.0.1/30', 'dev', SINK]);
    run('ip', ['link', 'set', SINK, 'up']);
    run('ip', ['link', 'set', `${SINK}p`, 'up']);
    run('ip', ['neigh', 'replace', SINK_GATEWAY, 'lladdr', '02:00:00:00:00:02', 'dev', SINK, 'nud', 'permanent']);
    run('ip', ['route', 'add', 'default', 'via', SINK_GATEWAY, 'dev', SINK]);
    const counts = new Map<NatType, number>();
    const hosts: LabHost[] = [];
    for (const [i, nat] of nats.entries()) {
      const k = i + 1;
      const n = (counts.get(nat) ?? 0) + 1;
      counts.set(nat, n);
      const publicAddress = `${PUBLIC_PREFIX}.${String(10 + k)}`;
      const host = await startNetnsHolder();
      holders.push(host);
      inNs(host.nsPath, 'ip', ['link', 'set', 'lo', 'up']);
      // The public-side end of the host's (or its router's) uplink.
      const uplink = `nu${String(k)}`;
      if (nat === 'open') {
        run('ip', ['link', 'add', uplink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(host.pid)]);
        links.push(uplink);
        run('ip', ['link', 'set', uplink, 'master', BRIDGE, 'up']);
        inNs(host.nsPath, 'ip', ['addr', 'add', `${publicAddress}/24`, 'dev', 'eth0']);
        inNs(host.nsPath, 'ip', ['link', 'set', 'eth0', 'up']);
        inNs(host.nsPath, 'ip', ['route', 'add', 'default', 'via', PUBLIC_SERVER_ADDRESS]);
        hosts.push({ name: `${nat}-${String(n)}`, nat, nsPath: host.nsPath, address: publicAddress, publicAddress });
        continue;
      }
      const router = await startNetnsHolder();
      holders.push(router);
      const hostAddress = `10.0.${String(k)}.2`;
      const routerLan = `10.0.${String(k)}.1`;
      inNs(router.nsPath, 'ip', ['link', 'set', 'lo', 'up']);
      run('ip', ['link', 'add', uplink, 'type', 'veth', 'peer', 'name', 'wan', 'netns', String(router.pid)]);
      links.push(uplink);
      run('ip', ['link', 'set', uplink, 'master', BRIDGE, 'up']);
      inNs(router.nsPath, 'ip', ['addr', 'add', `${publicAddress}/24`, 'dev', 'wan']);
      inNs(router.nsPath, 'ip', ['link', 'set', 'wan', 'up']);
      inNs(router.nsPath, 'ip', ['route', 'add', 'default', 'via', PUBLIC_SERVER_ADDRESS]);
      // The home link: created in the router's namespace, its other end moved into the host's.
      inNs(router.nsPath, 'ip', ['link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(host.pid)]);
      inNs(router.nsPath, 'ip', ['addr', 'add', `${routerLan}/24`, 'dev', 'lan']);
      inNs(router.nsPath, 'ip', ['link', 'set', 'lan', 'up']);
      inNs(router.nsPath, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
      for (const rule of natRules(nat, { wan: 'wan', wanAddress: publicAddress, lan: 'lan', hostAddress })) inNs(router.nsPath, 'iptables', rule);
      inNs(host.nsPath, 'ip', ['addr', 'add', `${hostAddress}/24`, 'dev', 'eth0']);
      inNs(host.nsPath, 'ip', ['link', 'set', 'eth0', 'up']);
      inNs(host.nsPath, 'ip', ['route', 'add', 'default', 'via', routerLan]);
      hosts.push({ name: `${nat}-${String(n)}`, nat, nsPath: host.nsPath, address: hostAddress, publicAddress });
    }
    return {
      hosts,
      command: (host, argv) => ['nsenter', `--net=${host.nsPath}`, '--', ...argv],
      close,
      closeNow: () => { for (const h of holders) h.kill(); },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
