import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OriginError } from './errors.js';

/** The bundled loop, encoded once by scripts/make-assets.ts and committed. */
export const defaultLoopDir = fileURLToPath(new URL('../assets/loop/', import.meta.url));

/** What a master playlist says about the one variant. */
export interface VariantInfo {
  /** Peak segment bit rate, bit/s (BANDWIDTH). */
  bandwidth: number;
  /** Mean bit rate over the loop, bit/s (AVERAGE-BANDWIDTH). */
  averageBandwidth: number;
  /** 'WIDTHxHEIGHT'. */
  resolution: string;
  /** RFC 6381 codec strings, e.g. 'avc1.4d401e,mp4a.40.2'. */
  codecs: string;
}

/** Shape of assets/loop/index.json. */
export interface LoopIndex extends VariantInfo {
  /** Duration of every segment, seconds. */
  segmentDurationSec: number;
  segments: { file: string; durationSec: number; bytes: number }[];
}

export interface LoopSegment {
  readonly file: string;
  readonly durationSec: number;
  readonly bytes: Uint8Array;
}

/** The loop in memory: segment i of the loop is segments[i]. */
export interface LoopAssets {
  readonly segmentDurationSec: number;
  readonly segments: readonly LoopSegment[];
  readonly variant: VariantInfo;
}

/**
 * MPEG-TS files on disk end in .mpegts, not .ts: lint and editors take *.ts for TypeScript. They are
 * still served as seg-<sn>.ts.
 */
const SEGMENT_FILE = /^seg-\d{5}\.mpegts$/;
const CODECS = /^[a-z0-9]+(\.[0-9a-zA-Z]+)*(,[a-z0-9]+(\.[0-9a-zA-Z]+)*)*$/;
/** Allowed gap between a segment's duration and segmentDurationSec: the live clock assumes one duration. */
const DURATION_TOLERANCE_SEC = 0.001;

function invalid(message: string): never {
  throw new OriginError('ORIGIN_ASSETS_INVALID', `Invalid loop index.json: ${message}`);
}

function positive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) invalid(`${name} must be a number > 0`);
  return value;
}

/** Checks a parsed index.json and returns it typed, or throws ORIGIN_ASSETS_INVALID. */
export function parseLoopIndex(json: unknown): LoopIndex {
  if (typeof json !== 'object' || json === null) invalid('not an object');
  const o = json as Record<string, unknown>;
  const segmentDurationSec = positive(o.segmentDurationSec, 'segmentDurationSec');
  if (!Array.isArray(o.segments) || o.segments.length === 0) invalid('segments must be a non-empty array');
  const segments = (o.segments as unknown[]).map((s, i) => {
    if (typeof s !== 'object' || s === null) invalid(`segments[${i}] is not an object`);
    const seg = s as Record<string, unknown>;
    if (typeof seg.file !== 'string' || !SEGMENT_FILE.test(seg.file)) invalid(`segments[${i}].file must look like seg-00000.mpegts`);
    const durationSec = positive(seg.durationSec, `segments[${i}].durationSec`);
    if (Math.abs(durationSec - segmentDurationSec) > DURATION_TOLERANCE_SEC) {
      invalid(`segments[${i}].durationSec ${durationSec} differs from segmentDurationSec ${segmentDurationSec}`);
    }
    const bytes = positive(seg.bytes, `segments[${i}].bytes`);
    return { file: seg.file, durationSec, bytes };
  });
  if (typeof o.codecs !== 'string' || !CODECS.test(o.codecs)) invalid('codecs must be RFC 6381 codec strings');
  if (typeof o.resolution !== 'string' || !/^\d+x\d+$/.test(o.resolution)) invalid('resolution must be WIDTHxHEIGHT');
  const bandwidth = Math.ceil(positive(o.bandwidth, 'bandwidth'));
  const averageBandwidth = Math.ceil(positive(o.averageBandwidth, 'averageBandwidth'));
  return { segmentDurationSec, segments, codecs: o.codecs, resolution: o.resolution, bandwidth, averageBandwidth };
}

async function load(dir: string): Promise<LoopAssets> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
  } catch (cause) {
    throw new OriginError('ORIGIN_ASSETS_INVALID', `cannot read ${join(dir, 'index.json')}`, { cause });
  }
  const index = parseLoopIndex(json);
  const segments = await Promise.all(
    index.segments.map(async (s): Promise<LoopSegment> => {
      const bytes = new Uint8Array(await readFile(join(dir, s.file)));
      if (bytes.length !== s.bytes) invalid(`${s.file} has ${bytes.length} bytes, index says ${s.bytes}`);
      return { file: s.file, durationSec: s.durationSec, bytes };
    }),
  );
  const { codecs, resolution, bandwidth, averageBandwidth } = index;
  return { segmentDurationSec: index.segmentDurationSec, segments, variant: { codecs, resolution, bandwidth, averageBandwidth } };
}

const cache = new Map<string, Promise<LoopAssets>>();

/** Loads index.json and every segment once per directory and process; later calls share the result. */
export function loadLoopAssets(dir: string = defaultLoopDir): Promise<LoopAssets> {
  const key = resolve(dir);
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = load(key);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key)); // a failed load may be retried
  }
  return pending;
}
