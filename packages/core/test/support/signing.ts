import { recordSigningPayload, toBase64Url, vodListSigningPayload, type IntegrityKey, type SegmentRecord, type SegmentRef, type VodList } from '@swarmcast/protocol';
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

  /** The signed VOD hash list of `segments` (sn and bytes each), in the given order, as rendition of `swarm`. */
  vodList(swarm: string, rendition: string, segments: readonly { sn: number; bytes: Uint8Array }[]): VodList {
    const entries = segments.map((s): [number, number, string] => [s.sn, s.bytes.length, createHash('sha256').update(s.bytes).digest('hex')]);
    const signature = toBase64Url(sign(null, vodListSigningPayload(swarm, rendition, entries), this.privateKey));
    return { swarm, rendition, keyId: this.key.keyId, signature, segments: entries };
  }
}
