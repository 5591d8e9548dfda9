/** Command-line options of `npm run bench:live`, checked: a bad value fails with a clear message. */
import { parseArgs } from 'node:util';
import { engineDefaults, parseEngineSettings } from '@swarmcast/core';

export type BenchMode = 'live' | 'vod';

export interface BenchArgs {
  readonly viewers: number;
  readonly durationSec: number;
  readonly joinSpreadSec: number;
  readonly mode: BenchMode;
  /** Where the JSON result goes. */
  readonly jsonFile: string;
  /** Skip the plain hls.js baseline run. */
  readonly skipBaseline: boolean;
  /** Log progress and page errors. */
  readonly verbose: boolean;
  /** Percent of the viewers that leave mid-run and are replaced (0 = none). */
  readonly churnPct: number;
  /** Each viewer's upload cap in kbit/s; null = not limited. */
  readonly uploadKbps: number | null;
  /** Round-trip delay each viewer's access link adds, ms; null = none. */
  readonly rttMs: number | null;
  /** Let headless Chromium paint the video (see ViewerOptions.paintVideo); off by default. */
  readonly paintVideo: boolean;
  /** The Swarmcast viewers' own upload cap (the page's `uploadCap`), kbit/s; null = none. */
  readonly engineCapKbps: number | null;
  /** The Swarmcast viewers' upload delay target (the page's `uploadDelayTarget`), ms, 0 = no delay-based pace; null = the engine's default. */
  readonly engineDelayTargetMs: number | null;
  /**
   * Numeric engine settings for the Swarmcast viewers (the page's `engine` param) and the simulator
   * check, by name: an A/B of a setting without a code change. Empty: the defaults.
   */
  readonly engineOverrides: Readonly<Record<string, number>>;
}

/** True when the run needs a network namespace per viewer (a cap or a delay was asked for). */
export function isConstrained(args: Pick<BenchArgs, 'uploadKbps' | 'rttMs'>): boolean {
  return args.uploadKbps !== null || args.rttMs !== null;
}

export const BENCH_USAGE =
  'usage: npm run bench:live -- --viewers N --duration S --join-spread S [--mode live|vod] [--churn PCT] [--upload-kbps K] [--rtt-ms R] [--engine-cap-kbps K] [--engine-delay-target-ms MS] [--engine key=value,...] [--json FILE] [--no-baseline] [--paint-video] [--verbose]';

/** A real-browser swarm above this is not meaningful on a small machine (see MACHINE-NOTES). */
export const MAX_VIEWERS = 24;

/** Below this a viewer cannot even send its HTTP requests and signalling in time. */
export const MIN_UPLOAD_KBPS = 64;

export function parseBenchArgs(argv: readonly string[], now: Date = new Date()): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      viewers: { type: 'string', default: '4' },
      duration: { type: 'string', default: '60' },
      'join-spread': { type: 'string', default: '10' },
      mode: { type: 'string', default: 'live' },
      json: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      'paint-video': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      churn: { type: 'string', default: '0' },
      'upload-kbps': { type: 'string' },
      'rtt-ms': { type: 'string' },
      'engine-cap-kbps': { type: 'string' },
      'engine-delay-target-ms': { type: 'string' },
      engine: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(BENCH_USAGE);
  const viewers = positiveNumber('viewers', values.viewers, { integer: true });
  if (viewers > MAX_VIEWERS) throw new Error(`Invalid args: --viewers must be at most ${MAX_VIEWERS}, got ${viewers}`);
  const mode = values.mode;
  if (mode !== 'live' && mode !== 'vod') throw new Error(`Invalid args: --mode must be live or vod, got ${mode}`);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const churnPct = nonNegativeNumber('churn', values.churn);
  if (churnPct > 100) throw new Error(`Invalid args: --churn must be a percentage from 0 to 100, got ${values.churn}`);
  const uploadKbps = values['upload-kbps'] === undefined ? null : positiveNumber('upload-kbps', values['upload-kbps']);
  if (uploadKbps !== null && uploadKbps < MIN_UPLOAD_KBPS) {
    throw new Error(`Invalid args: --upload-kbps must be at least ${MIN_UPLOAD_KBPS} (HTTP requests and signalling need it), got ${uploadKbps}`);
  }
  const rttMs = values['rtt-ms'] === undefined ? null : nonNegativeNumber('rtt-ms', values['rtt-ms']);
  const engineCapKbps = values['engine-cap-kbps'] === undefined ? null : positiveNumber('engine-cap-kbps', values['engine-cap-kbps'], { integer: true });
  // Checked here, not by 8 pages failing one after the other: the engine's cap takes two chunks a second.
  const minEngineCapKbps = Math.ceil((2 * engineDefaults.chunkBytes * 8) / 1000);
  if (engineCapKbps !== null && engineCapKbps < minEngineCapKbps) {
    throw new Error(`Invalid args: --engine-cap-kbps must be at least ${minEngineCapKbps} (two of the engine's chunks a second), got ${engineCapKbps}`);
  }
  const engineDelayTargetMs = values['engine-delay-target-ms'] === undefined ? null : nonNegativeNumber('engine-delay-target-ms', values['engine-delay-target-ms']);
  if (engineDelayTargetMs !== null && engineDelayTargetMs !== 0 && (engineDelayTargetMs < 10 || !Number.isInteger(engineDelayTargetMs))) {
    throw new Error(`Invalid args: --engine-delay-target-ms must be 0 (no delay-based pace) or a whole number of ms from 10, got ${engineDelayTargetMs}`);
  }
  const engineOverrides = parseEngineOverrides(values.engine);
  return {
    viewers,
    durationSec: positiveNumber('duration', values.duration),
    joinSpreadSec: nonNegativeNumber('join-spread', values['join-spread']),
    mode,
    jsonFile: values.json ?? `.bench-out/live-${stamp}.json`,
    skipBaseline: values['no-baseline'],
    verbose: values.verbose,
    churnPct,
    uploadKbps,
    rttMs,
    paintVideo: values['paint-video'],
    engineCapKbps,
    engineDelayTargetMs,
    engineOverrides,
  };
}

/** `--engine key=value,...`, checked here as the engine checks it, not by every page failing one after the other. */
function parseEngineOverrides(raw: string | undefined): Readonly<Record<string, number>> {
  try {
    return parseEngineSettings(raw ?? '');
  } catch (error) {
    throw new Error(`Invalid args: --engine: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function positiveNumber(name: string, raw: string, opts: { integer?: boolean } = {}): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (opts.integer === true && !Number.isInteger(value))) {
    throw new Error(`Invalid args: --${name} must be a positive ${opts.integer === true ? 'integer' : 'number'}, got ${raw}`);
  }
  return value;
}

function nonNegativeNumber(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`Invalid args: --${name} must be a number >= 0, got ${raw}`);
  return value;
}
