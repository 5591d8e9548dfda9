/** Command-line options of `npm run bench:formats`, checked: a bad value fails with a clear message. */
import { parseArgs } from 'node:util';
import { FORMAT_TYPES, isFormatType, type FormatMode, type FormatType } from '@swarmcast/origin';
import { MAX_VIEWERS } from './args.js';

/** Stream types beyond the origin's formats catalog, each on its own server or player. */
export const EXTRA_TYPES = ['ll-hls', 'dash', 'shaka-hls'] as const;
export type ExtraType = (typeof EXTRA_TYPES)[number];
/** Every stream type bench:formats runs: the catalog's, then the extra ones. */
export type BenchType = FormatType | ExtraType;
export const BENCH_TYPES: readonly BenchType[] = [...FORMAT_TYPES, ...EXTRA_TYPES];

export function isBenchType(value: string): value is BenchType {
  return isFormatType(value) || (EXTRA_TYPES as readonly string[]).includes(value);
}

/** Modes a type applies to: the LL-HLS origin is live only, the DASH fixture is a static VOD. */
const ONLY_MODE: Partial<Record<BenchType, FormatMode>> = { 'll-hls': 'live', dash: 'vod' };

/** The modes `type` runs in out of the asked ones (none: the type is left out). */
export function typeModes(type: BenchType, modes: readonly FormatMode[]): FormatMode[] {
  const only = ONLY_MODE[type];
  return only === undefined ? [...modes] : modes.filter((m) => m === only);
}

export interface FormatsBenchArgs {
  readonly viewers: number;
  /** Every viewer plays until this long after the last join, s. */
  readonly durationSec: number;
  readonly joinSpreadSec: number;
  /** Each with at least one mode under typeModes(). */
  readonly types: readonly BenchType[];
  readonly modes: readonly FormatMode[];
  readonly jsonFile: string;
  /** Also run plain hls.js viewers on each type and mode (the baseline). */
  readonly baseline: boolean;
  readonly verbose: boolean;
}

export const FORMATS_USAGE =
  'usage: npm run bench:formats -- [--json FILE] [--duration S] [--viewers N] [--join-spread S] [--types a,b] [--modes live,vod] [--no-baseline] [--verbose]';

function positive(name: string, raw: string, integer: boolean): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`Invalid args: --${name} must be a positive ${integer ? 'integer' : 'number'}, got ${raw}`);
  }
  return value;
}

function list<T extends string>(name: string, raw: string, valid: (v: string) => v is T, allowed: readonly string[]): T[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = items.filter((s) => !valid(s));
  if (items.length === 0 || bad.length > 0) throw new Error(`Invalid args: --${name} takes a comma-separated list of ${allowed.join(', ')}, got ${raw}`);
  return [...new Set(items.filter(valid))];
}

const isMode = (v: string): v is FormatMode => v === 'live' || v === 'vod';

export function parseFormatsArgs(argv: readonly string[], now: Date = new Date()): FormatsBenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      viewers: { type: 'string', default: '4' },
      duration: { type: 'string', default: '30' },
      'join-spread': { type: 'string', default: '6' },
      types: { type: 'string', default: BENCH_TYPES.join(',') },
      modes: { type: 'string', default: 'live,vod' },
      json: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(FORMATS_USAGE);
  const viewers = positive('viewers', values.viewers, true);
  if (viewers > MAX_VIEWERS) throw new Error(`Invalid args: --viewers must be at most ${MAX_VIEWERS}, got ${viewers}`);
  const joinSpreadSec = Number(values['join-spread']);
  if (!Number.isFinite(joinSpreadSec) || joinSpreadSec < 0) throw new Error(`Invalid args: --join-spread must be a number >= 0, got ${values['join-spread']}`);
  const modes = list('modes', values.modes, isMode, ['live', 'vod']);
  const asked = list('types', values.types, isBenchType, BENCH_TYPES);
  const types = asked.filter((t) => typeModes(t, modes).length > 0);
  if (types.length === 0) throw new Error(`Invalid args: --types ${asked.join(',')} has nothing to run in --modes ${modes.join(',')} (ll-hls is live only, dash VOD only)`);
  return {
    viewers,
    durationSec: positive('duration', values.duration, false),
    joinSpreadSec,
    types,
    modes,
    jsonFile: values.json ?? `.bench-out/formats-${now.toISOString().replace(/[:.]/g, '-')}.json`,
    baseline: !values['no-baseline'],
    verbose: values.verbose,
  };
}
