/**
 * The core's CryptoPort on node:crypto's synchronous calls. WebCrypto in Node runs each digest and
 * verify as a thread-pool job behind a promise, and that round trip cost more than the work for a
 * ~100 KB live segment: in a bench:swarm peer process the job set-up alone was ~1 % of a core.
 * SHA-256 of a 2 MiB segment takes ~1.6 ms here, so hashing on the event loop holds it no longer
 * than a message handler does. Results are the same as webCryptoPort's (see node-crypto.test.ts).
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { CryptoPort, PublicKeyHandle } from '@swarmcast/core';

/** DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410): the 32 raw key bytes follow. */
const ED25519_SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);
const ED25519_KEY_BYTES = 32;

/** Wraps a KeyObject: the handle is opaque to the core. */
interface NodeKeyHandle {
  readonly key: KeyObject;
}

function isNodeKey(handle: PublicKeyHandle): handle is NodeKeyHandle {
  return 'key' in handle;
}

export const nodeCryptoPort: CryptoPort = {
  sha256: (bytes) => {
    try {
      return Promise.resolve(new Uint8Array(createHash('sha256').update(bytes).digest()));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
  importEd25519: (raw) => {
    if (raw.length !== ED25519_KEY_BYTES) return Promise.reject(new Error(`an Ed25519 public key has ${ED25519_KEY_BYTES} bytes, got ${raw.length}`));
    try {
      const der = new Uint8Array(ED25519_SPKI_PREFIX.length + raw.length);
      der.set(ED25519_SPKI_PREFIX);
      der.set(raw, ED25519_SPKI_PREFIX.length);
      const handle: NodeKeyHandle = { key: createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }) };
      return Promise.resolve(handle);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
  verifyEd25519: (handle, message, signature) => {
    if (!isNodeKey(handle)) return Promise.reject(new Error('not a key imported by nodeCryptoPort'));
    try {
      return Promise.resolve(verify(null, message, handle.key, signature));
    } catch {
      // A malformed signature (wrong length) is a failed check, as WebCrypto answers it.
      return Promise.resolve(false);
    }
  },
};
