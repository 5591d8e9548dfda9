/** Command-line options of `npm run bench:swarm`, checked: a bad value fails with a clear message. */
import { parseArgs } from 'node:util';
import { engineDefaults } from '@swarmcast/core';

export interface SwarmParams {
  /** Node peers in the swarm. */
  readonly peers: number;
  /** Each peer plays this long from its join, s. */
  readonly durationSec: number;
  /** Peer processes (peers are dealt among them round-robin). */
  readonly processes: number;
  /** Joins are spread evenly over this, s. */
  readonly joinSpreadSec: number;
  /** Engine maxPeers of every peer: the mesh degree. */
  readonly maxPeers: number;
  /** Engine minPeers of every peer (at most maxPeers). */
  readonly minPeers: number;
  /** Segments behind the live edge a peer starts playing at (hls.js liveSyncDurationCount). */
  readonly liveSyncSegments: number;
}

export interface SwarmArgs extends SwarmParams {
  readonly jsonFile: string;
  /** When set, each peer process writes a V8 CPU profile (node --cpu-prof) into this directory. */
  readonly cpuProfDir: string | undefined;
}

export const SWARM_USAGE =
  'usage: npm run bench:swarm -- --peers N --duration S [--processes P] [--join-spread S] [--max-peers K] [--json FILE] [--cpu-prof DIR]';

/** Peers per process when --processes is not given. */
export const DEFAULT_PEERS_PER_PROCESS = 25;
/** Bounds: fds (hard limit 20,000 here) and what a small machine can run at all. */
export const MAX_SWARM_PEERS = 400;
export const MAX_PROCESSES = 32;

function number(name: string, raw: string, min: number, maxValue: number, integer: boolean): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > maxValue || (integer && !Number.isInteger(v))) {
    throw new Error(`Invalid args: --${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${maxValue}, got ${raw}`);
  }
  return v;
}

export function parseSwarmArgs(argv: readonly string[], now: Date = new Date()): SwarmArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      peers: { type: 'string', default: '20' },
      duration: { type: 'string', default: '60' },
      processes: { type: 'string' },
      'join-spread': { type: 'string', default: '30' },
      'max-peers': { type: 'string', default: String(engineDefaults.maxPeers) },
      json: { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(SWARM_USAGE);
  const peers = number('peers', values.peers, 1, MAX_SWARM_PEERS, true);
  const processes = values.processes === undefined ? Math.ceil(peers / DEFAULT_PEERS_PER_PROCESS) : number('processes', values.processes, 1, MAX_PROCESSES, true);
  if (processes > peers) throw new Error(`Invalid args: --processes (${processes}) must be at most --peers (${peers})`);
  const maxPeers = number('max-peers', values['max-peers'], 1, 64, true);
  return {
    peers,
    durationSec: number('duration', values.duration, 10, 3600, false),
    processes,
    joinSpreadSec: number('join-spread', values['join-spread'], 0, 600, false),
    maxPeers,
    // The engine's default minPeers (4), or fewer when the mesh is smaller.
    minPeers: Math.min(4, maxPeers),
    liveSyncSegments: 3,
    jsonFile: values.json ?? `.bench-out/swarm-${now.toISOString().replace(/[:.]/g, '-')}.json`,
    cpuProfDir: values['cpu-prof'],
  };
}
