/** Shared by the origin tests: a tiny assertion-based HLS parser and raw HTTP helpers. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const loopDir = fileURLToPath(new URL('../assets/loop/', import.meta.url));

/** The loop segments straight from disk, independent of the code under test. */
export function loopSegmentsFromDisk(): Uint8Array[] {
  const index = JSON.parse(readFileSync(join(loopDir, 'index.json'), 'utf8')) as { segments: { file: string }[] };
  return index.segments.map((s) => new Uint8Array(readFileSync(join(loopDir, s.file))));
}

export interface ParsedSegment {
  uri: string;
  durationSec: number;
  discontinuity: boolean;
  programDateTime?: string;
}

export interface ParsedMediaPlaylist {
  version: number;
  targetDurationSec: number;
  mediaSequence: number;
  discontinuitySequence: number;
  playlistType?: string;
  independentSegments: boolean;
  endList: boolean;
  segments: ParsedSegment[];
}

function tagValue(line: string, tag: string): string | undefined {
  return line.startsWith(`${tag}:`) ? line.slice(tag.length + 1) : undefined;
}

/** Parses a media playlist, asserting the structure hls.js relies on. */
export function parseMediaPlaylist(text: string): ParsedMediaPlaylist {
  assert.ok(text.endsWith('\n'), 'playlist ends with a newline');
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], '#EXTM3U');
  const p: ParsedMediaPlaylist = {
    version: NaN,
    targetDurationSec: NaN,
    mediaSequence: 0, // RFC 8216 default
    discontinuitySequence: 0,
    independentSegments: false,
    endList: false,
    segments: [],
  };
  let pending: Partial<ParsedSegment> & { discontinuity: boolean } = { discontinuity: false };
  for (const line of lines.slice(1)) {
    assert.ok(!p.endList, 'nothing after #EXT-X-ENDLIST');
    let v: string | undefined;
    if ((v = tagValue(line, '#EXT-X-VERSION')) !== undefined) p.version = Number(v);
    else if ((v = tagValue(line, '#EXT-X-TARGETDURATION')) !== undefined) p.targetDurationSec = Number(v);
    else if ((v = tagValue(line, '#EXT-X-MEDIA-SEQUENCE')) !== undefined) p.mediaSequence = Number(v);
    else if ((v = tagValue(line, '#EXT-X-DISCONTINUITY-SEQUENCE')) !== undefined) p.discontinuitySequence = Number(v);
    else if ((v = tagValue(line, '#EXT-X-PLAYLIST-TYPE')) !== undefined) p.playlistType = v;
    else if ((v = tagValue(line, '#EXT-X-PROGRAM-DATE-TIME')) !== undefined) {
      assert.ok(!Number.isNaN(Date.parse(v)), `PDT ${v} parses`);
      pending.programDateTime = v;
    } else if ((v = tagValue(line, '#EXTINF')) !== undefined) {
      const m = /^(\d+\.\d{3}),$/.exec(v);
      assert.ok(m !== null, `EXTINF with 3 decimals: ${line}`);
      pending.durationSec = Number(m[1]);
    } else if (line === '#EXT-X-DISCONTINUITY') pending.discontinuity = true;
    else if (line === '#EXT-X-INDEPENDENT-SEGMENTS') p.independentSegments = true;
    else if (line === '#EXT-X-ENDLIST') p.endList = true;
    else {
      assert.ok(!line.startsWith('#') && line.trim() !== '', `unexpected line ${JSON.stringify(line)}`);
      assert.ok(pending.durationSec !== undefined, `EXTINF before ${line}`);
      p.segments.push({ ...pending, uri: line, durationSec: pending.durationSec });
      pending = { discontinuity: false };
    }
  }
  assert.ok(Number.isInteger(p.version), 'EXT-X-VERSION');
  assert.ok(Number.isInteger(p.targetDurationSec), 'EXT-X-TARGETDURATION');
  for (const s of p.segments) assert.ok(Math.round(s.durationSec) <= p.targetDurationSec, 'EXTINF <= TARGETDURATION');
  return p;
}

export interface ParsedMasterPlaylist {
  version: number;
  variants: { attributes: Record<string, string>; uri: string }[];
}

/** Parses a master playlist (EXT-X-STREAM-INF + URI pairs). */
export function parseMasterPlaylist(text: string): ParsedMasterPlaylist {
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], '#EXTM3U');
  const out: ParsedMasterPlaylist = { version: NaN, variants: [] };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const version = tagValue(line, '#EXT-X-VERSION');
    if (version !== undefined) out.version = Number(version);
    const inf = tagValue(line, '#EXT-X-STREAM-INF');
    if (inf === undefined) continue;
    const attributes: Record<string, string> = {};
    for (const m of inf.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) attributes[m[1] ?? ''] = (m[2] ?? '').replace(/^"|"$/g, '');
    const uri = lines[++i] ?? '';
    assert.ok(uri !== '' && !uri.startsWith('#'), 'URI line after EXT-X-STREAM-INF');
    out.variants.push({ attributes, uri });
  }
  return out;
}

/** A request with an exact, unnormalised path (fetch would resolve '..'). */
export function rawGet(baseUrl: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function fetchBytes(url: string, init?: RequestInit): Promise<{ res: Response; bytes: Uint8Array }> {
  const res = await fetch(url, init);
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

export async function fetchText(url: string): Promise<{ res: Response; text: string }> {
  const res = await fetch(url);
  return { res, text: await res.text() };
}
