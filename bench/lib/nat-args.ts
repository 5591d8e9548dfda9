/** Command-line options of `npm run bench:nat`, checked: a bad value fails with a clear message. */
import { parseArgs } from 'node:util';
import { NAT_TYPES, type NatType } from '../../test/e2e/harness/nat-rules.js';

export interface NatBenchArgs {
  /** One peer per entry, each behind its own NAT of that type. */
  readonly nats: readonly NatType[];
  /** How long the peers play in each run, s. */
  readonly durationSec: number;
  /** The viewers' buffer: a segment's deadline after it appears, ms. */
  readonly segmentDelayMs: number;
  /** Skip the comparison run without TURN. */
  readonly skipStunOnly: boolean;
  readonly jsonFile: string;
}

export const NAT_BENCH_USAGE =
  'usage: npm run bench:nat -- [--nats open,full-cone,port-restricted,port-restricted,symmetric,symmetric] [--duration S] [--segment-delay-ms MS] [--no-stun-only] [--json FILE]';

/** Peer processes (plus one router namespace each) this 2-core machine runs comfortably. */
export const MAX_NAT_PEERS = 12;

export const DEFAULT_NATS: readonly NatType[] = ['open', 'full-cone', 'full-cone', 'port-restricted', 'port-restricted', 'symmetric', 'symmetric'];

export function parseNatBenchArgs(argv: readonly string[], now: Date = new Date()): NatBenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      nats: { type: 'string', default: DEFAULT_NATS.join(',') },
      duration: { type: 'string', default: '40' },
      'segment-delay-ms': { type: 'string', default: '6000' },
      'no-stun-only': { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(NAT_BENCH_USAGE);
  const nats = values.nats.split(',').map((n) => n.trim());
  const unknown = nats.filter((n) => !(NAT_TYPES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`Invalid args: --nats takes ${NAT_TYPES.join(', ')}; got ${unknown.join(', ')}`);
  if (nats.length < 2 || nats.length > MAX_NAT_PEERS) throw new Error(`Invalid args: --nats must list 2 to ${String(MAX_NAT_PEERS)} peers, got ${String(nats.length)}`);
  const durationSec = Number(values.duration);
  if (!Number.isFinite(durationSec) || durationSec < 10 || durationSec > 600) throw new Error(`Invalid args: --duration must be 10 to 600 s, got ${values.duration}`);
  const segmentDelayMs = Number(values['segment-delay-ms']);
  if (!Number.isFinite(segmentDelayMs) || segmentDelayMs < 0 || segmentDelayMs > 60_000) {
    throw new Error(`Invalid args: --segment-delay-ms must be 0 to 60000, got ${values['segment-delay-ms']}`);
  }
  return {
    nats: nats as NatType[],
    durationSec,
    segmentDelayMs,
    skipStunOnly: values['no-stun-only'],
    jsonFile: values.json ?? `.bench-out/nat-${now.toISOString().replace(/[:.]/g, '-')}.json`,
  };
}
