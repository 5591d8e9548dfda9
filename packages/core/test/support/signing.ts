import { recordSigningPayload, toBase64Url, type IntegrityKey, type SegmentRecord, type SegmentRef } from '@swarmcast/protocol';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** A test integrity authority: an Ed25519 key that signs segment records. */
export class TestSigner {
  readonly key: IntegrityKey;
  private readonly privateKey: KeyObject;

  constructor(keyId = 'test-key') {
    const pair = generateKeyPairSync('ed25519');
    this.privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    this.key = { keyId, publicKey: jwk.x ?? '' };
  }

  /** The signed record of `bytes` as segment `ref` of `swarm`. */
  record(swarm: string, ref: SegmentRef, bytes: Uint8Array): SegmentRecord {
    const fields = { rendition: ref.rendition, sn: ref.sn, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    const signature = toBase64Url(sign(null, recordSigningPayload(swarm, fields), this.privateKey));
    return { ...fields, keyId: this.key.keyId, signature };
  }
}
