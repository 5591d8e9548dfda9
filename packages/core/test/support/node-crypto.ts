import type { CryptoPort } from '../../src/index.ts';
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * A CryptoPort on node:crypto's synchronous calls: results are ready within the same microtask
 * turn, so runs on the virtual clock stay deterministic (WebCrypto resolves on the thread pool).
 */
export const nodeCrypto: CryptoPort = {
  sha256: (bytes) => Promise.resolve(new Uint8Array(createHash('sha256').update(bytes).digest())),
  importEd25519: (raw) =>
    Promise.resolve(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' })),
  verifyEd25519: (key, message, signature) => Promise.resolve(verify(null, message, key as KeyObject, signature)),
};
