/** Readers of the HLS tag values the authority needs (RFC 8216 section 4.2 attribute lists, byte ranges). */

/** Most attributes read from one tag: a longer list is not a tag the authority signs anything for. */
const MAX_ATTRIBUTES = 32;

/**
 * An attribute list (`KEY=value,KEY="quoted, value"`) as a map; quoted strings lose their quotes.
 * Reading stops at the first malformed piece: the caller checks that what it needs is there.
 */
export function parseAttributes(value: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([A-Z0-9-]+)=("[^"\r\n]*"|[^",\s]*)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(value)) !== null && attributes.size < MAX_ATTRIBUTES) {
    const [, key = '', raw = ''] = match;
    attributes.set(key, raw.startsWith('"') ? raw.slice(1, -1) : raw);
    if (pattern.lastIndex >= value.length) break;
    while (value[pattern.lastIndex] === ' ') pattern.lastIndex += 1;
  }
  return attributes;
}

/** `<length>[@<offset>]` of EXT-X-BYTERANGE or the BYTERANGE attribute of EXT-X-MAP. */
export interface ByteRangeSpec {
  readonly lengthBytes: number;
  readonly offsetBytes: number | undefined;
}

/** Parses `<n>[@<o>]`, or undefined when it is not one (lengths of 0 included: no segment is empty). */
export function parseByteRange(value: string): ByteRangeSpec | undefined {
  const match = /^(\d{1,15})(?:@(\d{1,15}))?$/.exec(value.trim());
  if (match === null) return undefined;
  const lengthBytes = Number(match[1]);
  if (lengthBytes === 0) return undefined;
  return { lengthBytes, offsetBytes: match[2] === undefined ? undefined : Number(match[2]) };
}
