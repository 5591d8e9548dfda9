/** Command-line options of `npm run bench:formats`, checked: a bad value fails with a clear message. */
import { parseArgs } from 'node:util';
import { FORMAT_TYPES, isFormatType, type FormatMode, type FormatType } from '@swarmcast/origin';
import { MAX_VIEWERS } from './args.js';

export interface FormatsBenchArgs {
  readonly viewers: number;
  /** Every viewer plays until this long after the last join, s. */
  readonly durationSec: number;
  readonly joinSpreadSec: number;
  readonly types: readonly FormatType[];
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
      types: { type: 'string', default: FORMAT_TYPES.join(',') },
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
  return {
    viewers,
    durationSec: positive('duration', values.duration, false),
    joinSpreadSec,
    types: list('types', values.types, isFormatType, FORMAT_TYPES),
    modes: list('modes', values.modes, isMode, ['live', 'vod']),
    jsonFile: values.json ?? `.bench-out/formats-${now.toISOString().replace(/[:.]/g, '-')}.json`,
    baseline: !values['no-baseline'],
    verbose: values.verbose,
  };
}
