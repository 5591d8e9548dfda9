/** The scenario of one run: what the command line says, with defaults, checked. */
import { parseArgs } from 'node:util';
import { engineDefaults, parseEngineSettings } from '@swarmcast/core';

export interface UploadClass {
  /** Share of peers in this class (the classes' shares sum to 1). */
  readonly fraction: number;
  /** Upload capacity as a multiple of the stream's bitrate. */
  readonly multiple: number;
}

export interface ScenarioParams {
  readonly peers: number;
  readonly durationSec: number;
  readonly uploadMix: readonly UploadClass[];
  /** Download capacity of every peer, as a multiple of the bitrate. */
  readonly downloadMultiple: number;
  readonly rttMinMs: number;
  readonly rttMaxMs: number;
  /** Chance that a DataChannel packet is lost (and retransmitted one RTT later), 0-1. */
  readonly loss: number;
  /** Uplinks carry WebRTC's packet headers and SACKs besides the messages (transport-overhead.ts). */
  readonly transportOverhead: boolean;
  /** Share of the peers that leave during the run (as many join), 0-1. */
  readonly churn: number;
  /** Share of the leavers that crash instead of leaving gracefully. */
  readonly crashShare: number;
  /** How long a crashed peer's connections take to fail on the other side (ICE consent, ~30 s). */
  readonly crashDetectSec: number;
  readonly bitrateKbps: number;
  readonly segmentSec: number;
  /** The initial peers join spread evenly at random over this many seconds. */
  readonly rampSec: number;
  readonly seed: string;
  /** Engine DATA chunk size at full scale. */
  readonly chunkBytes: number;
  /** Segment bytes are held this many times smaller in memory (see README: byte scale). */
  readonly byteScale: number;
  /** Segment store budget of each engine, in segments. */
  readonly storeSegments: number;
  readonly originTtfbMinMs: number;
  readonly originTtfbMaxMs: number;
  /** Rate at which the CDN sends one response, Mbit/s. */
  readonly cdnMbps: number;
  /** Peer ids in one tracker peer list (the real tracker's maxPeersInList). */
  readonly trackerPeerList: number;
  /**
   * What each engine announces as its upload: 'measured', what its upload meter finds (as in a
   * browser, which knows nothing of its uplink: EngineConfig.uploadKbps 0), or 'capacity', its
   * host's uplink capacity, known beforehand (uploadKbps set, as an edge peer's configuration does).
   */
  readonly announceUpload: 'measured' | 'capacity';
  /**
   * Uplinks that swing: 0 (default) each carries its whole capacity all the time; above 0 each
   * carries, for 1-4 s at a time, a share of it drawn log-uniformly from [uplinkSwing, 1], as a
   * browser short of CPU does (twelve browsers behind one 600 kbit/s shaper on two cores measured
   * 29-683 kbit/s) or an uplink shared with other traffic.
   */
  readonly uplinkSwing: number;
  /** Numeric engine settings to override (EngineConfig field -> value). */
  readonly engine: Readonly<Record<string, number>>;
}

export interface CliOptions {
  readonly params: ScenarioParams;
  readonly jsonPath: string | undefined;
  readonly progress: boolean;
}

export const USAGE = `npm run sim -- --peers N --duration S [options]
  --upload-mix "0.2:0.5,0.5:1.5,0.3:4"  fraction:multiple-of-bitrate classes of upload capacity
  --download-mult 25       download capacity as a multiple of the bitrate
  --rtt-ms 20-200          RTT range between peers (uniform; from positions on a ring)
  --loss PCT               packet loss on DataChannels, as retransmission delay (default 0)
  --bare-links             uplinks carry the messages alone, without WebRTC's packet headers and SACKs
  --churn PCT              % of peers that leave during the run; as many join (default 0)
  --crash-share 0.5        share of leavers that crash (links go silent) instead of leaving
  --crash-detect-sec 30    when peers notice a crashed peer's connection failed
  --bitrate-kbps 400       stream bitrate
  --segment-sec 2          segment duration
  --ramp-sec S             initial peers join over this long (default min(30, duration/4))
  --seed X                 random seed (default 1)
  --chunk-bytes 4096       engine DATA chunk size (the engine default)
  --byte-scale auto|K      hold segment bytes K times smaller in memory (auto: 1 below 2000 peers, else chunk/1024)
  --store-segments 10      each engine's segment store budget, in segments
  --origin-ttfb-ms 30-80   CDN time to first byte
  --cdn-mbps 100           CDN rate for one response
  --tracker-list 20        peer ids per tracker list
  --announce-upload measured|capacity  what engines announce as their upload: what they measure
                           (as browsers, default) or their host's uplink capacity, known beforehand
  --uplink-swing S          each uplink carries a share of its capacity drawn from [S, 1] (log-uniform)
                           for 1-4 s at a time; 0 (default): all of it, always
  --engine k=v,k=v         numeric engine settings (e.g. maxPeers=8,httpFetchersPerSegment=2)
  --json FILE              write the result as JSON
  --progress               print progress to stderr`;

function fail(message: string): never {
  throw new Error(`${message}\n\n${USAGE}`);
}

function num(value: string | undefined, name: string, fallback: number, min: number, max = Number.POSITIVE_INFINITY): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number in [${min}, ${max}], got "${value}"`);
  return n;
}

function range(value: string | undefined, name: string, fallback: [number, number]): [number, number] {
  if (value === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(value);
  if (!m) fail(`--${name} must be MIN-MAX (or one value), got "${value}"`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (hi < lo) fail(`--${name}: ${hi} < ${lo}`);
  return [lo, hi];
}

export function parseUploadMix(text: string): UploadClass[] {
  const classes = text.split(',').map((part) => {
    const [f, m] = part.split(':').map((x) => Number(x.trim()));
    if (f === undefined || m === undefined || !(f > 0) || !(m >= 0) || !Number.isFinite(f) || !Number.isFinite(m)) {
      fail(`--upload-mix entries are fraction:multiple with fraction > 0, got "${part}"`);
    }
    return { fraction: f, multiple: m };
  });
  const total = classes.reduce((s, c) => s + c.fraction, 0);
  if (Math.abs(total - 1) > 0.01) fail(`--upload-mix fractions must sum to 1, got ${total}`);
  return classes.map((c) => ({ fraction: c.fraction / total, multiple: c.multiple }));
}

function parseEngine(text: string | undefined): Record<string, number> {
  try {
    return parseEngineSettings(text ?? '');
  } catch (error) {
    return fail(`--engine: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function announceUpload(value: string | undefined): ScenarioParams['announceUpload'] {
  if (value === undefined || value === 'measured' || value === 'capacity') return value ?? 'measured';
  return fail(`--announce-upload must be measured or capacity, got "${value}"`);
}

export function autoByteScale(peers: number, chunkBytes: number): number {
  return peers < 2000 ? 1 : Math.max(1, Math.floor(chunkBytes / 1024));
}

/** Fills every field not given with its default. */
export function scenario(partial: Partial<ScenarioParams> & Pick<ScenarioParams, 'peers' | 'durationSec'>): ScenarioParams {
  const chunkBytes = partial.chunkBytes ?? engineDefaults.chunkBytes;
  return {
    uploadMix: parseUploadMix('0.2:0.5,0.5:1.5,0.3:4'),
    downloadMultiple: 25,
    rttMinMs: 20,
    rttMaxMs: 200,
    loss: 0,
    transportOverhead: true,
    churn: 0,
    crashShare: 0.5,
    crashDetectSec: 30,
    bitrateKbps: 400,
    segmentSec: 2,
    rampSec: Math.min(30, partial.durationSec / 4),
    seed: '1',
    chunkBytes,
    byteScale: autoByteScale(partial.peers, chunkBytes),
    storeSegments: 10,
    originTtfbMinMs: 30,
    originTtfbMaxMs: 80,
    cdnMbps: 100,
    trackerPeerList: 20,
    announceUpload: 'measured',
    uplinkSwing: 0,
    engine: {},
    ...partial,
  };
}

export function parseCli(argv: readonly string[]): CliOptions {
  const stringOptions = [
    'peers', 'duration', 'upload-mix', 'download-mult', 'rtt-ms', 'loss', 'churn', 'crash-share', 'crash-detect-sec', 'bitrate-kbps',
    'segment-sec', 'ramp-sec', 'seed', 'chunk-bytes', 'byte-scale', 'store-segments', 'origin-ttfb-ms', 'cdn-mbps', 'tracker-list', 'announce-upload', 'uplink-swing', 'engine', 'json',
  ];
  const options: Record<string, { type: 'string' | 'boolean' }> = { progress: { type: 'boolean' }, help: { type: 'boolean' }, 'bare-links': { type: 'boolean' } };
  for (const name of stringOptions) options[name] = { type: 'string' };
  const v: Record<string, string | boolean | undefined> = parseArgs({ args: [...argv], strict: true, options }).values;
  const str = (k: string): string | undefined => {
    const x = v[k];
    return typeof x === 'string' ? x : undefined;
  };
  if (v.help === true) fail('usage:');
  const peers = num(str('peers'), 'peers', Number.NaN, 2, 1_000_000);
  const durationSec = num(str('duration'), 'duration', Number.NaN, 1);
  if (Number.isNaN(peers) || Number.isNaN(durationSec)) fail('--peers and --duration are required');
  const chunkBytes = num(str('chunk-bytes'), 'chunk-bytes', engineDefaults.chunkBytes, 1024, 256 * 1024 - 64);
  const scaleText = str('byte-scale') ?? 'auto';
  const byteScale = scaleText === 'auto' ? autoByteScale(peers, chunkBytes) : num(scaleText, 'byte-scale', 1, 1, chunkBytes / 1024);
  const [rttMinMs, rttMaxMs] = range(str('rtt-ms'), 'rtt-ms', [20, 200]);
  const [originTtfbMinMs, originTtfbMaxMs] = range(str('origin-ttfb-ms'), 'origin-ttfb-ms', [30, 80]);
  const base = scenario({ peers, durationSec });
  const params: ScenarioParams = {
    ...base,
    uploadMix: parseUploadMix(str('upload-mix') ?? '0.2:0.5,0.5:1.5,0.3:4'),
    downloadMultiple: num(str('download-mult'), 'download-mult', base.downloadMultiple, 0.1),
    rttMinMs,
    rttMaxMs,
    loss: num(str('loss'), 'loss', 0, 0, 50) / 100,
    transportOverhead: v['bare-links'] !== true,
    churn: num(str('churn'), 'churn', 0, 0, 100) / 100,
    crashShare: num(str('crash-share'), 'crash-share', base.crashShare, 0, 1),
    crashDetectSec: num(str('crash-detect-sec'), 'crash-detect-sec', base.crashDetectSec, 0),
    bitrateKbps: num(str('bitrate-kbps'), 'bitrate-kbps', base.bitrateKbps, 1),
    segmentSec: num(str('segment-sec'), 'segment-sec', base.segmentSec, 0.1),
    rampSec: num(str('ramp-sec'), 'ramp-sec', base.rampSec, 0, durationSec),
    seed: str('seed') ?? base.seed,
    chunkBytes,
    byteScale,
    storeSegments: num(str('store-segments'), 'store-segments', base.storeSegments, 1),
    originTtfbMinMs,
    originTtfbMaxMs,
    cdnMbps: num(str('cdn-mbps'), 'cdn-mbps', base.cdnMbps, 0.1),
    trackerPeerList: num(str('tracker-list'), 'tracker-list', base.trackerPeerList, 1, 64),
    announceUpload: announceUpload(str('announce-upload')),
    uplinkSwing: num(str('uplink-swing'), 'uplink-swing', 0, 0, 1),
    engine: parseEngine(str('engine')),
  };
  return { params, jsonPath: str('json'), progress: v.progress === true };
}
