/** Command-line options of `npm run bench:tracker`, checked: a bad value fails with a clear message. */
import { parseArgs } from 'node:util';
import type { LoadShape } from './run-load.js';

export interface TrackerBenchArgs extends LoadShape {
  readonly jsonFile: string;
  /** Soak mode: Swarmcast only, continuous churn, memory sampled every sampleEverySec. */
  readonly soak: boolean;
  readonly churnPerSec: number;
  readonly sampleEverySec: number;
  /** Skip bittorrent-tracker (load mode). */
  readonly skipBaseline: boolean;
  /** Cluster mode (--redis): Swarmcast tracker nodes sharing swarms through a redis-server started for the run. */
  readonly redis: boolean;
  /** Tracker nodes in cluster mode (1 otherwise). */
  readonly nodes: number;
}

export const TRACKER_BENCH_USAGE =
  'usage: npm run bench:tracker -- --peers N --duration S [--json FILE] [--workers W] [--swarm-size K] [--rate EXCHANGES_PER_SEC_PER_PEER] ' +
  '[--announce-interval S] [--sdp-bytes B] [--no-pin] [--no-baseline] [--soak --churn-per-sec R --sample-every S] [--heartbeat peers|ping] [--redis --nodes N (with --no-baseline)]';

export function parseTrackerBenchArgs(argv: readonly string[], now: Date = new Date()): TrackerBenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      peers: { type: 'string', default: '2000' },
      duration: { type: 'string', default: '10' },
      json: { type: 'string' },
      workers: { type: 'string', default: '4' },
      'swarm-size': { type: 'string', default: '50' },
      rate: { type: 'string', default: '10' },
      'announce-interval': { type: 'string', default: '10' },
      'sdp-bytes': { type: 'string', default: '600' },
      'no-pin': { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
      soak: { type: 'boolean', default: false },
      'churn-per-sec': { type: 'string', default: '20' },
      'sample-every': { type: 'string', default: '5' },
      heartbeat: { type: 'string', default: 'peers' },
      redis: { type: 'boolean', default: false },
      nodes: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(TRACKER_BENCH_USAGE);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const soak = values.soak;
  const args: TrackerBenchArgs = {
    peers: number('peers', values.peers, 2, 1_000_000, true),
    durationSec: number('duration', values.duration, 1, 86_400, false),
    workers: number('workers', values.workers, 1, 64, true),
    swarmSize: number('swarm-size', values['swarm-size'], 2, 1000, true),
    exchangesPerSecPerPeer: number('rate', values.rate, 0.001, 20, false),
    announceIntervalSec: number('announce-interval', values['announce-interval'], 1, 25, false),
    sdpBytes: number('sdp-bytes', values['sdp-bytes'], 32, 16_384, true),
    // Cluster mode pins nothing: N nodes, Redis and the workers share the cores.
    pin: !values['no-pin'] && !values.redis,
    skipBaseline: values['no-baseline'],
    soak,
    churnPerSec: number('churn-per-sec', values['churn-per-sec'], 0, 10_000, false),
    sampleEverySec: number('sample-every', values['sample-every'], 1, 600, false),
    heartbeat: heartbeat(values.heartbeat),
    redis: values.redis,
    nodes: values.nodes === undefined ? (values.redis ? 3 : 1) : number('nodes', values.nodes, 1, 32, true),
    jsonFile: values.json ?? `.bench-out/tracker-${soak ? 'soak' : values.redis ? 'cluster' : 'load'}-${stamp}.json`,
  };
  if (args.workers > args.peers) throw new Error(`Invalid args: --workers (${args.workers}) must not exceed --peers (${args.peers})`);
  if (!args.redis && args.nodes > 1) throw new Error('Invalid args: --nodes needs --redis (tracker nodes share swarms through Redis)');
  if (args.heartbeat === 'ping' && !args.skipBaseline) throw new Error('Invalid args: --heartbeat ping is Swarmcast only (the WebTorrent protocol has no ping): add --no-baseline');
  if (args.redis && args.soak) throw new Error('Invalid args: --redis and --soak do not go together (the soak runs one tracker)');
  if (args.redis && !args.skipBaseline) throw new Error('Invalid args: --redis measures Swarmcast only (bittorrent-tracker has no cluster mode): add --no-baseline');
  return args;
}

function heartbeat(raw: string): 'peers' | 'ping' {
  if (raw !== 'peers' && raw !== 'ping') throw new Error(`Invalid args: --heartbeat must be peers or ping, got ${raw}`);
  return raw;
}

/** Limits: rate <= 20 exchanges/s keeps a peer under the tracker's 50 messages/s rate limit; the announce interval stays under its 30 s heartbeat timeout. */
function number(name: string, raw: string, min: number, max: number, integer: boolean): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`Invalid args: --${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${raw}`);
  }
  return value;
}
