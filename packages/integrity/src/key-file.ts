import { readFile } from 'node:fs/promises';
import type { IntegrityKey } from '@swarmcast/protocol';
import { IntegrityError } from './errors.js';
import { keyIdOf, loadSigningKey } from './keys.js';

/** The fields a key file may hold: `swarmcast keygen` writes all three. */
interface KeyFileFields {
  keyId?: unknown;
  publicKey?: unknown;
  privateKeyPkcs8?: unknown;
}

async function readFields(file: string): Promise<KeyFileFields> {
  const text = (await readFile(file, 'utf8')).trim();
  // A file holding only the base64url PKCS#8 string is accepted too.
  if (!text.startsWith('{')) return { privateKeyPkcs8: text };
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) return parsed;
  } catch (cause) {
    throw new IntegrityError('INTEGRITY_INVALID_KEY', `${file} is not JSON`, { cause });
  }
  throw new IntegrityError('INTEGRITY_INVALID_KEY', `${file} does not hold a JSON object`);
}

/** The private key (base64url PKCS#8) of a key file. Throws IntegrityError INTEGRITY_INVALID_KEY. */
export async function readSigningKeyFile(file: string): Promise<string> {
  const { privateKeyPkcs8 } = await readFields(file);
  if (typeof privateKeyPkcs8 !== 'string') throw new IntegrityError('INTEGRITY_INVALID_KEY', `${file} has no privateKeyPkcs8: use a file written by swarmcast keygen`);
  return privateKeyPkcs8;
}

/** The public identity of a key file: its publicKey, or the one derived from its private key. */
export async function readPublicKeyFile(file: string): Promise<IntegrityKey> {
  const { publicKey, privateKeyPkcs8 } = await readFields(file);
  if (typeof publicKey === 'string' && /^[A-Za-z0-9_-]{43}$/.test(publicKey)) {
    return { keyId: keyIdOf(Buffer.from(publicKey, 'base64url')), publicKey };
  }
  if (typeof privateKeyPkcs8 === 'string') {
    const key = loadSigningKey(privateKeyPkcs8);
    return { keyId: key.keyId, publicKey: key.publicKey };
  }
  throw new IntegrityError('INTEGRITY_INVALID_KEY', `${file} has neither a publicKey nor a privateKeyPkcs8`);
}
