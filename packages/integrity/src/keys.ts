import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { toBase64Url } from '@swarmcast/protocol';
import type { IntegrityKey } from '@swarmcast/protocol';
import { IntegrityError } from './errors.js';

/** A new key pair, in the JSON shape `swarmcast keygen` writes. */
export interface GeneratedSigningKey {
  keyId: string;
  /** Raw 32-byte Ed25519 public key, base64url: what players pin. */
  publicKey: string;
  /** PKCS#8 DER private key, base64url: what the authority loads. Keep it secret. */
  privateKeyPkcs8: string;
}

/** A loaded private key with its public identity. */
export interface SigningKey extends IntegrityKey {
  readonly privateKey: KeyObject;
}

/** keyId: the first 8 characters of base64url(SHA-256(raw public key)). */
export function keyIdOf(publicKeyRaw: Uint8Array): string {
  return toBase64Url(createHash('sha256').update(publicKeyRaw).digest()).slice(0, 8);
}

/** The raw 32 bytes of an Ed25519 public key: JWK `x` is exactly that, base64url. */
function rawPublicKey(key: KeyObject): string {
  const { x } = key.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new IntegrityError('INTEGRITY_INVALID_KEY', 'not an Ed25519 key');
  return x;
}

export function generateSigningKey(): GeneratedSigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return {
    keyId: keyIdOf(Buffer.from(raw, 'base64url')),
    publicKey: raw,
    privateKeyPkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
  };
}

/** Loads a base64url PKCS#8 Ed25519 private key. Throws IntegrityError INTEGRITY_INVALID_KEY. */
export function loadSigningKey(pkcs8Base64Url: string): SigningKey {
  if (typeof pkcs8Base64Url !== 'string' || !/^[A-Za-z0-9_-]+$/.test(pkcs8Base64Url)) {
    throw new IntegrityError('INTEGRITY_INVALID_KEY', 'signing key must be a base64url PKCS#8 string');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(pkcs8Base64Url, 'base64url'), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new IntegrityError('INTEGRITY_INVALID_KEY', 'signing key is not valid PKCS#8 DER', { cause });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new IntegrityError('INTEGRITY_INVALID_KEY', `signing key must be Ed25519, got ${String(privateKey.asymmetricKeyType)}`);
  }
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { keyId: keyIdOf(Buffer.from(publicKey, 'base64url')), publicKey, privateKey };
}
