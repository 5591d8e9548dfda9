import { createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { fromBase64Url, recordSigningPayload, toBase64Url, vodListSigningPayload } from '@swarmcast/protocol';
import type { RecordFields, SegmentRecord, VodList, VodListEntry } from '@swarmcast/protocol';
import type { SigningKey } from './keys.js';

/** Signs the fields of one segment of `swarm` (Ed25519 over recordSigningPayload). */
export function signRecord(swarm: string, fields: RecordFields, key: SigningKey): SegmentRecord {
  const signature = sign(null, recordSigningPayload(swarm, fields), key.privateKey);
  return {
    rendition: fields.rendition,
    sn: fields.sn,
    sizeBytes: fields.sizeBytes,
    sha256: fields.sha256,
    keyId: key.keyId,
    signature: toBase64Url(signature),
  };
}

/** Signs the whole hash list of a VOD rendition of `swarm`, entries in the given order (Ed25519 over vodListSigningPayload). */
export function signVodList(swarm: string, rendition: string, segments: readonly VodListEntry[], key: SigningKey): VodList {
  const signature = sign(null, vodListSigningPayload(swarm, rendition, segments), key.privateKey);
  return { swarm, rendition, keyId: key.keyId, signature: toBase64Url(signature), segments: segments.map((e) => [e[0], e[1], e[2]]) };
}

function publicKeyObject(publicKeyRaw: Uint8Array | string): KeyObject | undefined {
  try {
    const raw = typeof publicKeyRaw === 'string' ? fromBase64Url(publicKeyRaw) : publicKeyRaw;
    if (raw.length !== 32) return undefined;
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(raw) }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/**
 * True when `record` carries a valid signature of `swarm` by the raw 32-byte Ed25519 key (bytes or
 * base64url). False for anything malformed: it never throws. Does not compare keyId.
 */
export function verifyRecord(swarm: string, record: SegmentRecord, publicKeyRaw: Uint8Array | string): boolean {
  const key = publicKeyObject(publicKeyRaw);
  if (key === undefined) return false;
  try {
    const signature = fromBase64Url(record.signature);
    // The last character carries 4 unused bits: only the canonical spelling is accepted, so one
    // signature has one string form (records can be compared and deduplicated by it).
    if (signature.length !== 64 || toBase64Url(signature) !== record.signature) return false;
    return verify(null, recordSigningPayload(swarm, record), key, signature);
  } catch {
    return false;
  }
}

/** True when `list` carries a valid signature by the raw Ed25519 key; never throws. Does not compare keyId. */
export function verifyVodList(list: VodList, publicKeyRaw: Uint8Array | string): boolean {
  const key = publicKeyObject(publicKeyRaw);
  if (key === undefined) return false;
  try {
    const signature = fromBase64Url(list.signature);
    if (signature.length !== 64 || toBase64Url(signature) !== list.signature) return false;
    return verify(null, vodListSigningPayload(list.swarm, list.rendition, list.segments), key, signature);
  } catch {
    return false;
  }
}
