/**
 * Reads what the integrity authority and the Shaka integration need from a DASH MPD: for each
 * Representation that uses a SegmentTemplate ($Number$, or $Time$ with a SegmentTimeline), its
 * rendition id and the URL, number and times of each media segment. One static Period only.
 * Pure (no Node API), so the player computes the very identity the authority signs:
 * {rendition: renditionIdFromUrl(media template resolved against its BaseURLs, with
 * $RepresentationID$ and $Bandwidth$ filled in), sn: segment number}.
 */
import { renditionIdFromUrl } from '@swarmcast/protocol';
import { IntegrityError } from './errors.js';
import { MAX_VARIANTS } from './playlist-parser.js';
import { parseXml } from './xml-lite.js';
import type { XmlElement } from './xml-lite.js';

/** Most segments listed per representation (a 2 s segment VOD of ~11 h). */
export const MAX_MPD_SEGMENTS = 20_000;
const U32_MAX = 0xffff_ffff;

export interface MpdSegment {
  /** Segment number ($Number$): startNumber + index. */
  readonly sn: number;
  /** Absolute URL. */
  readonly url: string;
  /** Start in the Period, in seconds (presentationTimeOffset removed). */
  readonly startSec: number;
  readonly durationSec: number;
}

export interface MpdRepresentation {
  /** The Representation@id. */
  readonly id: string;
  /** The swarm-wide rendition id (see the module comment). */
  readonly rendition: string;
  /** Absolute URL of the init segment, if the template names one. */
  readonly initUrl: string | undefined;
  readonly segments: readonly MpdSegment[];
}

export interface ParsedMpd {
  readonly kind: 'mpd';
  /** MPD@type="dynamic" (live); only static MPDs list every segment. */
  readonly dynamic: boolean;
  readonly durationSec: number;
  readonly representations: readonly MpdRepresentation[];
}

function invalid(message: string, url: string): never {
  throw new IntegrityError('PLAYLIST_INVALID', `MPD: ${message}`, { url });
}

/** ISO 8601 duration as MPDs use it (PnDTnHnMn.nS) in seconds. */
export function parseIsoDurationSec(value: string): number | undefined {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!m || value.trim() === 'P' || value.trim().endsWith('T')) return undefined;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return Number(d) * 86_400 + Number(h) * 3600 + Number(min) * 60 + Number(s);
}

/** Fills $Identifier$ / $Identifier%0Nd$ in a template; identifiers not in `values` stay as written. */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\$(\w*)(?:%0(\d{1,2})d)?\$/g, (whole, id: string, width: string | undefined) => {
    if (id === '') return '$';
    const value = values[id];
    if (value === undefined) return whole;
    const text = String(value);
    return width === undefined ? text : text.padStart(Number(width), '0');
  });
}

function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

function resolveBase(element: XmlElement, base: string, url: string): string {
  const baseUrl = children(element, 'BaseURL')[0]?.text;
  if (baseUrl === undefined || baseUrl === '') return base;
  try {
    return new URL(baseUrl, base).href;
  } catch {
    return invalid(`bad BaseURL ${JSON.stringify(baseUrl.slice(0, 100))}`, url);
  }
}

/** SegmentTemplate attributes and timeline, inner levels overriding outer ones. */
interface Template {
  media?: string;
  initialization?: string;
  startNumber?: string;
  timescale?: string;
  duration?: string;
  presentationTimeOffset?: string;
  timeline?: XmlElement;
}

function mergeTemplate(outer: Template, element: XmlElement): Template {
  const t = children(element, 'SegmentTemplate')[0];
  if (t === undefined) return outer;
  const merged: Template = { ...outer };
  for (const key of ['media', 'initialization', 'startNumber', 'timescale', 'duration', 'presentationTimeOffset'] as const) {
    const value = t.attrs[key];
    if (value !== undefined) merged[key] = value;
  }
  const timeline = children(t, 'SegmentTimeline')[0];
  if (timeline !== undefined) merged.timeline = timeline;
  return merged;
}

function nonNegative(value: string | undefined, fallback: number, what: string, url: string): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,15}$/.test(value)) invalid(`${what} must be a non-negative integer, got ${JSON.stringify(value.slice(0, 30))}`, url);
  return Number(value);
}

function absolute(relative: string, base: string, url: string): string {
  try {
    const resolved = new URL(relative, base);
    if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') invalid(`non-http URL ${resolved.protocol}`, url);
    return resolved.href;
  } catch (error) {
    if (error instanceof IntegrityError) throw error;
    return invalid(`bad URL ${JSON.stringify(relative.slice(0, 100))}`, url);
  }
}

/** [number, time in timescale units, duration in timescale units] of each segment. */
function segmentTimes(t: Template, startNumber: number, periodSec: number, url: string): [number, number, number][] {
  const out: [number, number, number][] = [];
  const timescale = nonNegative(t.timescale, 1, 'timescale', url);
  if (timescale === 0) invalid('timescale must be positive', url);
  if (t.timeline !== undefined) {
    let time = 0;
    for (const s of children(t.timeline, 'S')) {
      if (s.attrs.t !== undefined) time = nonNegative(s.attrs.t, 0, 'S@t', url);
      const d = nonNegative(s.attrs.d, 0, 'S@d', url);
      if (d === 0) invalid('S@d must be positive', url);
      const r = s.attrs.r === undefined ? 0 : Number(s.attrs.r);
      if (!Number.isInteger(r) || r < 0) invalid('S@r must be a non-negative integer (open-ended repeats are not supported)', url);
      for (let k = 0; k <= r; k++) {
        if (out.length >= MAX_MPD_SEGMENTS) invalid(`more than ${MAX_MPD_SEGMENTS} segments in a representation`, url);
        out.push([startNumber + out.length, time, d]);
        time += d;
      }
    }
    return out;
  }
  const duration = nonNegative(t.duration, 0, 'SegmentTemplate@duration', url);
  if (duration === 0) invalid('SegmentTemplate needs a duration or a SegmentTimeline', url);
  const count = Math.ceil((periodSec * timescale) / duration - 1e-9);
  if (count > MAX_MPD_SEGMENTS) invalid(`more than ${MAX_MPD_SEGMENTS} segments in a representation`, url);
  for (let k = 0; k < count; k++) out.push([startNumber + k, k * duration, duration]);
  return out;
}

function representation(rep: XmlElement, outer: Template, base: string, periodSec: number, url: string): MpdRepresentation | undefined {
  const t = mergeTemplate(outer, rep);
  if (t.media === undefined) return undefined; // SegmentBase / SegmentList: not identified for P2P
  const id = rep.attrs.id;
  if (id === undefined || id === '') invalid('Representation without an id', url);
  const fixed = { RepresentationID: id, Bandwidth: rep.attrs.bandwidth ?? '' };
  const media = fillTemplate(t.media, fixed);
  const rendition = renditionIdFromUrl(absolute(media, base, url));
  const startNumber = nonNegative(t.startNumber, 1, 'startNumber', url);
  const timescale = nonNegative(t.timescale, 1, 'timescale', url) || 1;
  const pto = nonNegative(t.presentationTimeOffset, 0, 'presentationTimeOffset', url);
  const segments = segmentTimes(t, startNumber, periodSec, url).map(([sn, time, d]): MpdSegment => {
    if (sn > U32_MAX) invalid(`segment number beyond ${U32_MAX}`, url);
    return { sn, url: absolute(fillTemplate(media, { Number: sn, Time: time }), base, url), startSec: (time - pto) / timescale, durationSec: d / timescale };
  });
  const initUrl = t.initialization === undefined ? undefined : absolute(fillTemplate(t.initialization, fixed), base, url);
  return { id, rendition, initUrl, segments };
}

/**
 * Parses MPD text fetched from `baseUrl` (the URL after redirects). Throws IntegrityError
 * PLAYLIST_INVALID on anything malformed or beyond what is supported (several Periods).
 */
export function parseMpd(text: string, baseUrl: string): ParsedMpd {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    return invalid(error instanceof Error ? error.message : String(error), baseUrl);
  }
  if (root.name !== 'MPD') invalid(`root element is <${root.name}>, not <MPD>`, baseUrl);
  const dynamic = root.attrs.type === 'dynamic';
  const periods = children(root, 'Period');
  const period = periods[0];
  if (period === undefined) invalid('no Period', baseUrl);
  if (periods.length > 1) invalid('several Periods are not supported', baseUrl);
  const durationText = period.attrs.duration ?? root.attrs.mediaPresentationDuration;
  const durationSec = durationText === undefined ? undefined : parseIsoDurationSec(durationText);
  if (durationSec === undefined && !dynamic) invalid('static MPD without a valid duration', baseUrl);
  const periodBase = resolveBase(period, resolveBase(root, baseUrl, baseUrl), baseUrl);
  const periodTemplate = mergeTemplate({}, period);
  const representations: MpdRepresentation[] = [];
  for (const set of children(period, 'AdaptationSet')) {
    const setBase = resolveBase(set, periodBase, baseUrl);
    const setTemplate = mergeTemplate(periodTemplate, set);
    for (const rep of children(set, 'Representation')) {
      const parsed = representation(rep, setTemplate, resolveBase(rep, setBase, baseUrl), durationSec ?? 0, baseUrl);
      if (parsed === undefined) continue;
      if (representations.length >= MAX_VARIANTS) invalid(`more than ${MAX_VARIANTS} representations`, baseUrl);
      representations.push(parsed);
    }
  }
  return { kind: 'mpd', dynamic, durationSec: durationSec ?? 0, representations };
}

/** True when `url` names an MPD (by its path's extension), the way the authority picks a watcher. */
export function isMpdUrl(url: string): boolean {
  try {
    return new URL(url).pathname.toLowerCase().endsWith('.mpd');
  } catch {
    return false;
  }
}
