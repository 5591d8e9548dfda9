/**
 * Cuts every path between the pages of the test's namespace on loopback (iptables DROP in OUTPUT on
 * lo, so both directions): all UDP, and all TCP but the servers' ports (Chromium's ICE also tries
 * TCP candidates, and would carry the peers' connection over TCP if only UDP were cut), while the
 * origin and the tracker stay reachable. Only inside the test's own namespace (scripts/in-netns.ts);
 * the rules carry a comment so restore() removes exactly them.
 */
import { spawnSync } from 'node:child_process';

const COMMENT = ['-m', 'comment', '--comment', 'swarmcast-e2e-path-cut'];

function iptables(args: readonly string[]): { ok: boolean; stderr: string } {
  const r = spawnSync('iptables', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`iptables: ${r.error.message} (apt-get install -y iptables)`);
  return { ok: r.status === 0, stderr: r.stderr.trim() };
}

/** Throws a clear error when the cut cannot be made here. */
export function assertPathCutPossible(): void {
  if (process.env.SWARMCAST_NETNS !== '1') throw new Error('the path cut must run inside the test namespace: npm run test:e2e (scripts/in-netns.ts, root)');
  const listed = iptables(['-S', 'OUTPUT']);
  if (!listed.ok) throw new Error(`iptables does not work here: ${listed.stderr}`);
}

export interface PathCut {
  /** When the rules went in, ms since the epoch. */
  readonly atMs: number;
  /** Removes the rules; idempotent. Returns when their removal began (paths may work from then on), ms since the epoch. */
  restore(): number;
}

/** Cuts every path on loopback but TCP to or from `serverPorts` (the origin's and the tracker's). */
export function cutPeerPaths(serverPorts: readonly number[]): PathCut {
  if (serverPorts.length === 0 || serverPorts.length > 15) throw new Error('cutPeerPaths: 1-15 server ports');
  const rules = [
    ['OUTPUT', '-o', 'lo', '-p', 'udp', ...COMMENT, '-j', 'DROP'],
    ['OUTPUT', '-o', 'lo', '-p', 'tcp', '-m', 'multiport', '!', '--ports', serverPorts.join(','), ...COMMENT, '-j', 'DROP'],
  ];
  const added: string[][] = [];
  const remove = (): void => {
    const failures = added.splice(0).map((rule) => iptables(['-D', ...rule])).filter((r) => !r.ok);
    if (failures.length > 0) throw new Error(`iptables -D failed: ${failures.map((f) => f.stderr).join('; ')}`);
  };
  for (const rule of rules) {
    const r = iptables(['-I', ...rule]);
    if (!r.ok) {
      remove();
      throw new Error(`iptables -I failed: ${r.stderr}`);
    }
    added.push(rule);
  }
  const atMs = Date.now();
  let restoredAtMs: number | undefined;
  return {
    atMs,
    restore(): number {
      if (restoredAtMs !== undefined) return restoredAtMs;
      restoredAtMs = Date.now();
      remove();
      return restoredAtMs;
    },
  };
}
