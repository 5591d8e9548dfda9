/**
 * iptables rules that make a router namespace behave as one kind of home NAT (RFC 4787 terms):
 * - full-cone: endpoint-independent mapping and filtering. Outgoing traffic is SNATed to the WAN
 *   address (Linux keeps the source port when it is free: one host behind it, so always), and every
 *   packet arriving on the WAN is DNATed to the host: anyone may send to a mapped port.
 * - port-restricted: Linux's default MASQUERADE. Endpoint-independent mapping (the port is kept),
 *   address-and-port-dependent filtering (only replies to a flow the host opened come in).
 * - symmetric: MASQUERADE --random-fully. Each new destination gets a new random public port, so
 *   the address a STUN server sees is of no use to any other peer.
 * Unsolicited packets to the router itself are dropped in INPUT: a packet dropped there leaves no
 * conntrack entry, so a peer's early hole-punching packet cannot take the tuple the host's own
 * outgoing packet needs (Linux would then give that one another port: symmetric behaviour).
 */

export type NatType = 'open' | 'full-cone' | 'port-restricted' | 'symmetric';

export const NAT_TYPES: readonly NatType[] = ['open', 'full-cone', 'port-restricted', 'symmetric'];

export interface RouterAddresses {
  /** The router's interface on the public side, and its address there. */
  readonly wan: string;
  readonly wanAddress: string;
  /** The router's interface on the home side. */
  readonly lan: string;
  /** The one host behind it. */
  readonly hostAddress: string;
}

/** The iptables argument lists for a router of `nat` (none for 'open', which has no router). */
export function natRules(nat: NatType, a: RouterAddresses): string[][] {
  if (nat === 'open') return [];
  const filter = [
    ['-P', 'FORWARD', 'DROP'],
    ['-A', 'FORWARD', '-i', a.lan, '-o', a.wan, '-j', 'ACCEPT'],
    // DNAT: the full-cone's inbound mapping; ESTABLISHED/RELATED: replies to what the host opened.
    ['-A', 'FORWARD', '-i', a.wan, '-o', a.lan, '-m', 'conntrack', '--ctstate', nat === 'full-cone' ? 'ESTABLISHED,RELATED,DNAT' : 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
    ['-A', 'INPUT', '-i', a.wan, '-j', 'DROP'],
  ];
  const translation: Record<Exclude<NatType, 'open'>, string[][]> = {
    'full-cone': [
      ['-t', 'nat', '-A', 'POSTROUTING', '-o', a.wan, '-j', 'SNAT', '--to-source', a.wanAddress],
      ['-t', 'nat', '-A', 'PREROUTING', '-i', a.wan, '-j', 'DNAT', '--to-destination', a.hostAddress],
    ],
    'port-restricted': [['-t', 'nat', '-A', 'POSTROUTING', '-o', a.wan, '-j', 'MASQUERADE']],
    symmetric: [['-t', 'nat', '-A', 'POSTROUTING', '-o', a.wan, '-j', 'MASQUERADE', '--random-fully']],
  };
  return [...filter, ...translation[nat]];
}

/**
 * The path two peers behind `a` and `b` can have: direct when ICE can punch through, relay when
 * only TURN joins them (a symmetric NAT against anything that filters by port), none without TURN.
 */
export function expectedPath(a: NatType, b: NatType, turn: boolean): 'direct' | 'relay' | 'none' {
  const filtersByPort = (n: NatType): boolean => n === 'port-restricted' || n === 'symmetric';
  const needsRelay = (a === 'symmetric' && filtersByPort(b)) || (b === 'symmetric' && filtersByPort(a));
  if (!needsRelay) return 'direct';
  return turn ? 'relay' : 'none';
}
