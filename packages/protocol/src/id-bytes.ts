import { ID_PATTERN } from './limits.js';

/**
 * Most ids whose UTF-8 bytes are remembered. A swarm has a few renditions (plus parts and init
 * segments), so a stream's ids stay cached; the map is emptied when full rather than kept in LRU
 * order, which costs nothing per hit.
 */
export const MAX_CACHED_IDS = 4096;

const utf8Encoder = new TextEncoder();
// ignoreBOM: keep a leading U+FEFF in the output (it then fails ID_PATTERN) instead of silently
// stripping it, which would decode two different byte strings to the same id.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Valid ids seen by encodeCachedId, with their UTF-8 bytes. Keys come from our own messages, never the network. */
const encodedIds = new Map<string, Uint8Array>();

/** UTF-8 bytes of `value` if it matches ID_PATTERN, else undefined. Checks and encodes on every call. */
export function encodeId(value: string): Uint8Array | undefined {
  return ID_PATTERN.test(value) ? utf8Encoder.encode(value) : undefined;
}

/**
 * encodeId for ids sent again and again (renditions: every HAVE, RECEIVING, LOST and REQUEST names
 * one): each id is checked and encoded once. The bytes returned are shared: copy them, never write them.
 */
export function encodeCachedId(value: string): Uint8Array | undefined {
  const cached = encodedIds.get(value);
  if (cached !== undefined) return cached;
  const bytes = encodeId(value);
  if (bytes === undefined) return undefined;
  if (encodedIds.size >= MAX_CACHED_IDS) encodedIds.clear();
  encodedIds.set(value, bytes);
  return bytes;
}

/** Ids currently cached (for tests). */
export function cachedIdCount(): number {
  return encodedIds.size;
}

/**
 * The text of UTF-8 bytes[start, end); throws the decoder's TypeError when they are not UTF-8.
 * ASCII (every valid id) is read byte by byte, cheaper than a TextDecoder call for a short string;
 * anything else goes through the strict decoder.
 */
export function decodeIdText(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i] ?? 0x80;
    if (b >= 0x80) return utf8Decoder.decode(bytes.subarray(start, end));
    text += String.fromCharCode(b);
  }
  return text;
}
