/**
 * Reads the RFC 6381 codec strings (for a master playlist's CODECS) out of an MPEG-TS segment:
 * PAT -> PMT -> the first H.264 and ADTS AAC elementary streams -> SPS bytes / ADTS profile.
 * Enough of MPEG-TS for ffmpeg's output; not a general demuxer.
 */

const PACKET_BYTES = 188;
const SYNC_BYTE = 0x47;
const STREAM_TYPE_H264 = 0x1b;
const STREAM_TYPE_ADTS_AAC = 0x0f;

/** Codec strings found in a segment; a field is absent when that stream is missing. */
export interface TsCodecs {
  video?: string; // e.g. 'avc1.4d401e'
  audio?: string; // e.g. 'mp4a.40.2'
}

/** Payload of each packet of one PID, in order, with its payload_unit_start flag. */
function* packetPayloads(ts: Uint8Array): Generator<{ pid: number; start: boolean; payload: Uint8Array }> {
  for (let at = 0; at + PACKET_BYTES <= ts.length; at += PACKET_BYTES) {
    if (ts[at] !== SYNC_BYTE) return;
    const b1 = ts[at + 1] ?? 0;
    const pid = ((b1 & 0x1f) << 8) | (ts[at + 2] ?? 0);
    const adaptation = ((ts[at + 3] ?? 0) >> 4) & 0x3;
    if ((adaptation & 0x1) === 0) continue; // no payload
    const offset = 4 + ((adaptation & 0x2) !== 0 ? 1 + (ts[at + 4] ?? 0) : 0);
    if (offset >= PACKET_BYTES) continue;
    yield { pid, start: (b1 & 0x40) !== 0, payload: ts.subarray(at + offset, at + PACKET_BYTES) };
  }
}

/** Section body of the first PSI table on `pid` (after pointer_field, from table_id). */
function firstSection(ts: Uint8Array, pid: number): Uint8Array | undefined {
  for (const p of packetPayloads(ts)) {
    if (p.pid !== pid || !p.start) continue;
    const section = p.payload.subarray(1 + (p.payload[0] ?? 0));
    const length = (((section[1] ?? 0) & 0x0f) << 8) | (section[2] ?? 0);
    return section.subarray(0, Math.min(section.length, 3 + length - 4)); // drop CRC32
  }
  return undefined;
}

function findStreams(ts: Uint8Array): Map<number, number> {
  const streams = new Map<number, number>(); // stream_type -> PID (first of each type)
  const pat = firstSection(ts, 0);
  if (pat === undefined) return streams;
  let pmtPid: number | undefined;
  for (let i = 8; i + 4 <= pat.length; i += 4) {
    const program = ((pat[i] ?? 0) << 8) | (pat[i + 1] ?? 0);
    if (program !== 0) {
      pmtPid = (((pat[i + 2] ?? 0) & 0x1f) << 8) | (pat[i + 3] ?? 0);
      break;
    }
  }
  const pmt = pmtPid === undefined ? undefined : firstSection(ts, pmtPid);
  if (pmt === undefined) return streams;
  const programInfoLength = (((pmt[10] ?? 0) & 0x0f) << 8) | (pmt[11] ?? 0);
  for (let i = 12 + programInfoLength; i + 5 <= pmt.length; ) {
    const type = pmt[i] ?? 0;
    const pid = (((pmt[i + 1] ?? 0) & 0x1f) << 8) | (pmt[i + 2] ?? 0);
    if (!streams.has(type)) streams.set(type, pid);
    i += 5 + ((((pmt[i + 3] ?? 0) & 0x0f) << 8) | (pmt[i + 4] ?? 0));
  }
  return streams;
}

/** Elementary-stream bytes of the first PES packet on `pid` (PES header removed). */
function firstPesPayload(ts: Uint8Array, pid: number): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  for (const p of packetPayloads(ts)) {
    if (p.pid !== pid) continue;
    if (p.start && parts.length > 0) break;
    if (p.start || parts.length > 0) parts.push(p.payload);
  }
  if (parts.length === 0) return undefined;
  const pes = Buffer.concat(parts);
  if (pes[0] !== 0 || pes[1] !== 0 || pes[2] !== 1) return undefined;
  return pes.subarray(9 + (pes[8] ?? 0));
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** 'avc1.PPCCLL' from the first SPS NAL unit (type 7) after a 00 00 01 start code. */
function h264Codec(es: Uint8Array): string | undefined {
  for (let i = 0; i + 6 < es.length; i++) {
    if (es[i] === 0 && es[i + 1] === 0 && es[i + 2] === 1 && ((es[i + 3] ?? 0) & 0x1f) === 7) {
      return `avc1.${hex2(es[i + 4] ?? 0)}${hex2(es[i + 5] ?? 0)}${hex2(es[i + 6] ?? 0)}`;
    }
  }
  return undefined;
}

/** 'mp4a.40.<audio object type>' from the first ADTS header. */
function aacCodec(es: Uint8Array): string | undefined {
  if (es[0] !== 0xff || ((es[1] ?? 0) & 0xf0) !== 0xf0) return undefined;
  return `mp4a.40.${(((es[2] ?? 0) >> 6) & 0x3) + 1}`;
}

/** Codec strings of the first H.264 video and AAC audio streams of an MPEG-TS segment. */
export function detectTsCodecs(ts: Uint8Array): TsCodecs {
  const streams = findStreams(ts);
  const result: TsCodecs = {};
  const videoPid = streams.get(STREAM_TYPE_H264);
  const audioPid = streams.get(STREAM_TYPE_ADTS_AAC);
  const videoEs = videoPid === undefined ? undefined : firstPesPayload(ts, videoPid);
  const audioEs = audioPid === undefined ? undefined : firstPesPayload(ts, audioPid);
  const video = videoEs === undefined ? undefined : h264Codec(videoEs);
  const audio = audioEs === undefined ? undefined : aacCodec(audioEs);
  if (video !== undefined) result.video = video;
  if (audio !== undefined) result.audio = audio;
  return result;
}

/** The CODECS attribute value: video first, then audio, comma-separated. */
export function codecsAttribute(codecs: TsCodecs): string {
  return [codecs.video, codecs.audio].filter((c) => c !== undefined).join(',');
}
