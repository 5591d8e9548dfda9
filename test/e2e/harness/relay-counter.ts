/**
 * Counts the UDP bytes a TURN server's relay ports receive and send, with iptables counters in the
 * caller's namespace (the NAT lab's public side). coturn logs an allocation's usage only when it
 * ends, and a peer process may exit without releasing its allocation; the kernel counts them all.
 */
import { spawnSync } from 'node:child_process';

const COMMENT = 'swarmcast-turn-relay';

function iptables(args: readonly string[]): string {
  const r = spawnSync('iptables', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`iptables: ${r.error.message} (apt-get install -y iptables)`);
  if (r.status !== 0) throw new Error(`iptables ${args.join(' ')} failed (${String(r.status)}): ${r.stderr.trim()}`);
  return r.stdout;
}

export interface RelayCounter {
  /** Bytes (IP packets) into and out of the relay ports so far. */
  bytes(): number;
  /** Removes its rules; idempotent. */
  close(): void;
}

export function countRelayBytes(ports: { readonly min: number; readonly max: number }): RelayCounter {
  const range = `${String(ports.min)}:${String(ports.max)}`;
  const rules = [
    ['INPUT', '-p', 'udp', '--dport', range, '-m', 'comment', '--comment', COMMENT],
    ['OUTPUT', '-p', 'udp', '--sport', range, '-m', 'comment', '--comment', COMMENT],
  ];
  for (const rule of rules) iptables(['-A', ...rule]);
  let closed = false;
  return {
    bytes: () => {
      let total = 0;
      for (const chain of ['INPUT', 'OUTPUT']) {
        for (const line of iptables(['-nvxL', chain]).split('\n')) {
          // "pkts bytes target prot opt in out source destination ... /* comment */"
          if (line.includes(COMMENT)) total += Number(line.trim().split(/\s+/)[1] ?? 0);
        }
      }
      return total;
    },
    close: () => {
      if (closed) return;
      closed = true;
      for (const rule of rules) spawnSync('iptables', ['-D', ...rule], { stdio: 'ignore' });
    },
  };
}
