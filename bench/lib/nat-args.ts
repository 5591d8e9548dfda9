/** Command-line options of `npm run bench:nat`, checked: a bad value fails with a clear message. */
import { parseArgs } from 'node:util';
import { NAT_TYPES, type NatType } from '../../test/e2e/harness/nat-rules.js';

export interface NatBenchArgs {
  /** One Node peer per entry, each behind its own NAT of that type. */
  readonly nats: readonly NatType[];
  /** One Chromium viewer per entry (after the Node peers), each behind its own NAT of that type. */
  readonly chromiumNats: readonly NatType[];
  /** How long the peers play in each run, s. */
  readonly durationSec: number;
  /** The viewers' buffer: a segment's deadline after it appears, ms. */
  readonly segmentDelayMs: number;
  /** Skip the comparison run without TURN. */
  readonly skipStunOnly: boolean;
  readonly jsonFile: string;
}

export const NAT_BENCH_USAGE =
  'usage: npm run bench:nat -- [--nats open,full-cone,port-restricted,port-restricted,symmetric,symmetric] [--chromium full-cone,port-restricted,symmetric] [--duration S] [--segment-delay-ms MS] [--no-stun-only] [--json FILE]';

/** Peer processes (plus one router namespace each) this 2-core machine runs comfortably. */
export const MAX_NAT_PEERS = 12;
/** Chromium viewers, each its own browser (its own namespace): they count among MAX_NAT_PEERS too. */
export const MAX_NAT_CHROMIUMS = 6;

export const DEFAULT_NATS: readonly NatType[] = ['open', 'full-cone', 'full-cone', 'port-restricted', 'port-restricted', 'symmetric', 'symmetric'];

export function parseNatBenchArgs(argv: readonly string[], now: Date = new Date()): NatBenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      nats: { type: 'string', default: DEFAULT_NATS.join(',') },
      chromium: { type: 'string', default: '' },
      duration: { type: 'string', default: '40' },
      'segment-delay-ms': { type: 'string', default: '6000' },
      'no-stun-only': { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(NAT_BENCH_USAGE);
  const nats = parseNats('--nats', values.nats);
  const chromiumNats = parseNats('--chromium', values.chromium);
  if (chromiumNats.length > MAX_NAT_CHROMIUMS) throw new Error(`Invalid args: --chromium must list at most ${String(MAX_NAT_CHROMIUMS)} viewers, got ${String(chromiumNats.length)}`);
  const peers = nats.length + chromiumNats.length;
  if (peers < 2 || peers > MAX_NAT_PEERS) throw new Error(`Invalid args: --nats and --chromium must list 2 to ${String(MAX_NAT_PEERS)} peers together, got ${String(peers)}`);
  const durationSec = Number(values.duration);
  if (!Number.isFinite(durationSec) || durationSec < 10 || durationSec > 600) throw new Error(`Invalid args: --duration must be 10 to 600 s, got ${values.duration}`);
  const segmentDelayMs = Number(values['segment-delay-ms']);
  if (!Number.isFinite(segmentDelayMs) || segmentDelayMs < 0 || segmentDelayMs > 60_000) {
    throw new Error(`Invalid args: --segment-delay-ms must be 0 to 60000, got ${values['segment-delay-ms']}`);
  }
  return {
    nats,
    chromiumNats,
    durationSec,
    segmentDelayMs,
    skipStunOnly: values['no-stun-only'],
    jsonFile: values.json ?? `.bench-out/nat-${now.toISOString().replace(/[:.]/g, '-')}.json`,
  };
}

/** A comma-separated list of NAT types ('' is none). */
function parseNats(flag: string, list: string): NatType[] {
  const nats = list.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const unknown = nats.filter((n) => !(NAT_TYPES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`Invalid args: ${flag} takes ${NAT_TYPES.join(', ')}; got ${unknown.join(', ')}`);
  return nats as NatType[];
}
