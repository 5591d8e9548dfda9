/**
 * The formats catalog in memory: for each type and rendition, the bytes of every segment (and of
 * the init segment, single file, key) as generated, with what the playlists need to announce.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OriginError } from '../errors.js';
import { parseGeneratedPlaylist, type GeneratedSegment } from './ffmpeg-playlist.js';
import { AES_IV_HEX } from './format-recipe.js';
import { FORMAT_CODECS, FORMAT_TYPES, LADDER, renditionNames, type FormatType } from './format-types.js';

/** One media segment as served. */
export interface CatalogSegment {
  readonly durationSec: number;
  /** Bytes of this segment (for byterange: its sub-range of the single file). */
  readonly bytes: Uint8Array;
  /** Where the bytes sit in the rendition's single file (byterange type only). */
  readonly range?: { readonly offset: number; readonly length: number };
  /** Timestamps do not follow the previous segment's: EXT-X-DISCONTINUITY before it. */
  readonly discontinuity: boolean;
}

export interface CatalogRendition {
  readonly name: string;
  /** 'WIDTHxHEIGHT'. */
  readonly resolution: string;
  /** Peak and mean segment bit rate, bit/s. */
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  readonly codecs: string;
  readonly segments: readonly CatalogSegment[];
  /** EXT-X-MAP init segment (fmp4). */
  readonly init?: Uint8Array;
  /** The one file every segment is a range of (byterange). */
  readonly singleFile?: Uint8Array;
}

export interface CatalogType {
  readonly type: FormatType;
  readonly renditions: readonly CatalogRendition[];
  /** The AES-128 key (aes128): served only by the origin's key route. */
  readonly key?: { readonly bytes: Uint8Array; readonly ivHex: string };
}

export type FormatsCatalog = ReadonlyMap<FormatType, CatalogType>;

interface LoadedPlaylist {
  readonly segments: CatalogSegment[];
  readonly init?: Uint8Array;
  readonly singleFile?: Uint8Array;
}

async function loadPlaylist(dir: string, firstDiscontinuity = false): Promise<LoadedPlaylist> {
  const parsed = parseGeneratedPlaylist(await readFile(join(dir, 'index.m3u8'), 'utf8'));
  const files = new Map<string, Uint8Array>();
  const fileBytes = async (name: string): Promise<Uint8Array> => {
    if (name.includes('/')) throw new OriginError('ORIGIN_FORMATS_INVALID', `generated playlist names ${name} outside ${dir}`);
    let bytes = files.get(name);
    if (bytes === undefined) {
      bytes = new Uint8Array(await readFile(join(dir, name)));
      files.set(name, bytes);
    }
    return bytes;
  };
  const segments: CatalogSegment[] = [];
  for (const [i, s] of parsed.segments.entries()) segments.push(toSegment(s, await fileBytes(s.file), firstDiscontinuity && i === 0));
  const single = parsed.segments[0]?.range === undefined ? undefined : await fileBytes(parsed.segments[0].file);
  return {
    segments,
    ...(parsed.mapFile === undefined ? {} : { init: await fileBytes(parsed.mapFile) }),
    ...(single === undefined ? {} : { singleFile: single }),
  };
}

function toSegment(s: GeneratedSegment, file: Uint8Array, discontinuity: boolean): CatalogSegment {
  if (s.range === undefined) return { durationSec: s.durationSec, bytes: file, discontinuity };
  const end = s.range.offset + s.range.length;
  if (end > file.length) throw new OriginError('ORIGIN_FORMATS_INVALID', `byte range ${s.range.offset}+${s.range.length} beyond ${s.file}`);
  return { durationSec: s.durationSec, bytes: file.subarray(s.range.offset, end), range: s.range, discontinuity };
}

function rendition(name: string, loaded: LoadedPlaylist): CatalogRendition {
  const rung = LADDER.find((r) => r.name === name);
  if (rung === undefined) throw new OriginError('ORIGIN_FORMATS_INVALID', `unknown rendition ${name}`);
  const rates = loaded.segments.map((s) => (s.bytes.length * 8) / s.durationSec);
  const totalBits = loaded.segments.reduce((sum, s) => sum + s.bytes.length * 8, 0);
  const totalSec = loaded.segments.reduce((sum, s) => sum + s.durationSec, 0);
  return {
    name,
    resolution: `${rung.width}x${rung.height}`,
    bandwidth: Math.ceil(Math.max(...rates)),
    averageBandwidth: Math.ceil(totalBits / totalSec),
    codecs: FORMAT_CODECS,
    segments: loaded.segments,
    ...(loaded.init === undefined ? {} : { init: loaded.init }),
    ...(loaded.singleFile === undefined ? {} : { singleFile: loaded.singleFile }),
  };
}

/** Directory of a type's rendition in the generated tree (tokens reuses ts-abr's media). */
function sourceDir(root: string, type: FormatType, name: string): string {
  return join(root, type === 'tokens' ? 'ts-abr' : type, name);
}

async function loadType(root: string, type: FormatType): Promise<CatalogType> {
  const renditions: CatalogRendition[] = [];
  for (const name of renditionNames(type)) {
    if (type === 'discontinuity') {
      const a = await loadPlaylist(join(root, 'ts-abr', name));
      const b = await loadPlaylist(join(root, type, name), true);
      renditions.push(rendition(name, { segments: [...a.segments.slice(0, b.segments.length), ...b.segments] }));
    } else {
      renditions.push(rendition(name, await loadPlaylist(sourceDir(root, type, name))));
    }
  }
  if (type !== 'aes128') return { type, renditions };
  return { type, renditions, key: { bytes: new Uint8Array(await readFile(join(root, type, 'key.bin'))), ivHex: AES_IV_HEX } };
}

/** Loads the generated catalog from `root` (see ensureFormatsGenerated). */
export async function loadFormatsCatalog(root: string): Promise<FormatsCatalog> {
  const catalog = new Map<FormatType, CatalogType>();
  for (const type of FORMAT_TYPES) catalog.set(type, await loadType(root, type));
  return catalog;
}
