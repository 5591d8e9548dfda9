import type { CryptoPort } from './ports.js';

/**
 * The CryptoPort over the standard WebCrypto API, which browsers and Node 20 both provide as
 * `globalThis.crypto.subtle`: passed in, so the core itself touches no global.
 */
export function webCryptoPort(subtle: SubtleCrypto): CryptoPort {
  return {
    sha256: async (bytes) => new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)),
    importEd25519: (raw) => subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']),
    verifyEd25519: (key, message, signature) =>
      subtle.verify({ name: 'Ed25519' }, key as CryptoKey, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>),
  };
}
