import * as v from 'valibot';
import { ID_PATTERN, LIMITS } from './limits.js';

/**
 * Segment integrity records. The integrity authority (the tracker, or `swarmcast sign`) hashes each
 * segment as it appears at the origin and signs {swarm, rendition, sn, size, SHA-256} with the
 * stream's Ed25519 key; peers check every segment that came from another peer against its record.
 */

/** Short id of a signing key: lets a player hold several keys during a rotation. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;

export const IntegrityKeySchema = v.strictObject({
  keyId: v.pipe(v.string(), v.regex(KEY_ID_PATTERN)),
  /** Raw 32-byte Ed25519 public key, base64url. */
  publicKey: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/)),
});
export type IntegrityKey = v.InferOutput<typeof IntegrityKeySchema>;

export const SegmentRecordSchema = v.strictObject({
  rendition: v.pipe(v.string(), v.regex(ID_PATTERN)),
  sn: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff)),
  sizeBytes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.maxSegmentBytes)),
  /** SHA-256 of the segment, lowercase hex. */
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  keyId: v.pipe(v.string(), v.regex(KEY_ID_PATTERN)),
  /** Ed25519 signature of recordSigningPayload(), base64url (64 bytes). */
  signature: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{86}$/)),
});
export type SegmentRecord = v.InferOutput<typeof SegmentRecordSchema>;

/** The fields a signature covers. */
export type RecordFields = Pick<SegmentRecord, 'rendition' | 'sn' | 'sizeBytes' | 'sha256'>;

const encoder = new TextEncoder();

/**
 * The exact bytes signed for a record: a fixed prefix (so a signature can never be replayed as
 * anything else), then every field on its own line. The swarm id binds the record to its stream.
 */
export function recordSigningPayload(swarm: string, record: RecordFields): Uint8Array {
  return encoder.encode(`swarmcast-segment-v1\n${swarm}\n${record.rendition}\n${record.sn}\n${record.sizeBytes}\n${record.sha256}`);
}
