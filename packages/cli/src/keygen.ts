import { writeFile } from 'node:fs/promises';
import { generateSigningKey } from '@swarmcast/integrity';

/**
 * `swarmcast keygen [--out FILE]`: a new Ed25519 stream key as JSON {keyId, publicKey, privateKeyPkcs8}.
 * With --out the file gets it (mode 0600, never overwritten) and stdout only the public part.
 */
export async function runKeygen(options: Map<string, string>): Promise<void> {
  const key = generateSigningKey();
  const out = options.get('out');
  if (out === undefined) {
    process.stdout.write(`${JSON.stringify(key, null, 2)}\n`);
    return;
  }
  if (out === 'true') throw new Error('--out needs a file name');
  try {
    await writeFile(out, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') throw new Error(`${out} exists: refusing to overwrite a key`);
    throw error;
  }
  process.stdout.write(`${JSON.stringify({ keyId: key.keyId, publicKey: key.publicKey }, null, 2)}\n`);
  process.stderr.write(`private key written to ${out}; give players the publicKey above (or let the tracker announce it)\n`);
}
