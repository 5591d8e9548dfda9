/** nodeCryptoPort answers exactly as the WebCrypto port does: digests, imports, good and bad signatures. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, webcrypto } from 'node:crypto';
import { test } from 'node:test';
import { webCryptoPort } from '@swarmcast/core';
import { nodeCryptoPort } from '../src/node-crypto.ts';

const web = webCryptoPort(webcrypto.subtle as SubtleCrypto);

function rawPublicKey(): { raw: Uint8Array; sign: (m: Uint8Array) => Uint8Array } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { raw: new Uint8Array(spki.subarray(spki.length - 32)), sign: (m) => new Uint8Array(sign(null, m, privateKey)) };
}

test('sha256: the same digest as WebCrypto, empty input too', async () => {
  for (const bytes of [new Uint8Array(0), new Uint8Array(100_000).map((_, i) => i % 251)]) {
    assert.deepEqual(await nodeCryptoPort.sha256(bytes), await web.sha256(bytes));
  }
});

test('Ed25519: good, altered and malformed signatures as WebCrypto judges them; a bad key is refused', async () => {
  const k = rawPublicKey();
  const message = new TextEncoder().encode('v0/42 size sha256');
  const signature = k.sign(message);
  const nodeKey = await nodeCryptoPort.importEd25519(k.raw);
  const webKey = await web.importEd25519(k.raw);
  const altered = signature.slice();
  altered[0] = (altered[0] ?? 0) ^ 1;
  const cases: [Uint8Array, Uint8Array][] = [[message, signature], [message, altered], [new TextEncoder().encode('v0/43'), signature], [message, signature.subarray(0, 10)]];
  for (const [m, s] of cases) {
    assert.equal(await nodeCryptoPort.verifyEd25519(nodeKey, m, s), await web.verifyEd25519(webKey, m, s));
  }
  assert.equal(await nodeCryptoPort.verifyEd25519(nodeKey, message, signature), true);
  await assert.rejects(nodeCryptoPort.importEd25519(k.raw.subarray(0, 31)), /32 bytes/);
  await assert.rejects(nodeCryptoPort.verifyEd25519(webKey, message, signature), /not a key imported by nodeCryptoPort/);
});
