import * as v from 'valibot';
import { KEY_ID_PATTERN } from './integrity.js';
import { ID_PATTERN, LIMITS } from './limits.js';
import { parseJsonDocument, type DocumentKind } from './json-document.js';

/**
 * Signed hash lists of VOD renditions. Once an ENDLIST rendition is fully hashed, the integrity
 * authority signs the whole list of its segments {sn, size, SHA-256} with one Ed25519 signature; the
 * tracker serves it over HTTP (GET /integrity/vod), cacheable, so a VOD viewer fetches one list per
 * rendition instead of asking for records segment by segment.
 */

/** Most segments in one list (the authority's maxVodRecords default). */
export const MAX_VOD_LIST_SEGMENTS = 20_000;
/** Largest list document, in UTF-8 bytes: checked before JSON.parse. */
export const MAX_VOD_LIST_BYTES = 2 * 1024 * 1024;

/** One segment of a list: [sn, sizeBytes, sha256 (lowercase hex)]. */
export const VodListEntrySchema = v.strictTuple([
  v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff)),
  v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.maxSegmentBytes)),
  v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
]);
export type VodListEntry = v.InferOutput<typeof VodListEntrySchema>;

export const VodListSchema = v.strictObject({
  swarm: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxSwarmIdLength)),
  rendition: v.pipe(v.string(), v.regex(ID_PATTERN)),
  keyId: v.pipe(v.string(), v.regex(KEY_ID_PATTERN)),
  /** Ed25519 signature of vodListSigningPayload(), base64url (64 bytes). */
  signature: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{86}$/)),
  segments: v.pipe(v.array(VodListEntrySchema), v.maxLength(MAX_VOD_LIST_SEGMENTS)),
});
export type VodList = v.InferOutput<typeof VodListSchema>;

const encoder = new TextEncoder();

/**
 * The exact bytes signed for a list: a prefix of its own (a list signature can never pass as a
 * record's, nor the reverse), the swarm and rendition, then one `{sn} {sizeBytes} {sha256}` line per
 * segment in the list's order.
 */
export function vodListSigningPayload(swarm: string, rendition: string, segments: readonly (readonly [number, number, string])[]): Uint8Array {
  const lines = [`swarmcast-vod-v1\n${swarm}\n${rendition}\n`];
  for (const [sn, sizeBytes, sha256] of segments) lines.push(`${sn} ${sizeBytes} ${sha256}\n`);
  return encoder.encode(lines.join(''));
}

const VOD_LIST: DocumentKind = { name: 'VOD list', tooLarge: 'VOD_LIST_TOO_LARGE', notJson: 'VOD_LIST_NOT_JSON', invalid: 'VOD_LIST_INVALID' };

/** Parses a list document (the body of GET /integrity/vod). Throws ProtocolError on anything invalid. */
export function parseVodList(text: string): VodList {
  return parseJsonDocument(text, MAX_VOD_LIST_BYTES, VodListSchema, VOD_LIST);
}
