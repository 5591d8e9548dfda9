import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseServerMessage, recordSigningPayload } from '@swarmcast/protocol';
import type { SegmentRecord } from '@swarmcast/protocol';
import { IntegrityError, generateSigningKey, loadSigningKey, readPublicKeyFile, readSigningKeyFile, signRecord, verifyRecord } from '../src/index.js';

const SWARM = 'https://cdn.example/live/master.m3u8';
const FIELDS = { rendition: 'r1abc', sn: 42, sizeBytes: 123_456, sha256: 'ab'.repeat(32) };

void describe('keys', () => {
  void test('generateSigningKey gives a raw 32-byte public key, a loadable PKCS#8 key and keyId = 8 chars of base64url(SHA-256(raw))', () => {
    const key = generateSigningKey();
    assert.match(key.publicKey, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(key.publicKey, 'base64url').length, 32);
    assert.equal(key.keyId, createHash('sha256').update(Buffer.from(key.publicKey, 'base64url')).digest('base64url').slice(0, 8));
    const loaded = loadSigningKey(key.privateKeyPkcs8);
    assert.equal(loaded.keyId, key.keyId);
    assert.equal(loaded.publicKey, key.publicKey);
    assert.notEqual(generateSigningKey().keyId, key.keyId);
  });

  void test('loadSigningKey refuses garbage and keys that are not Ed25519, with INTEGRITY_INVALID_KEY', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url');
    for (const bad of ['', 'not base64!', 'AAAA', ec, 42 as unknown as string]) {
      assert.throws(
        () => loadSigningKey(bad),
        (error: unknown) => error instanceof IntegrityError && error.code === 'INTEGRITY_INVALID_KEY',
        `key ${JSON.stringify(bad).slice(0, 20)}`,
      );
    }
  });
});

void describe('signRecord / verifyRecord', () => {
  const key = generateSigningKey();
  const signing = loadSigningKey(key.privateKeyPkcs8);
  const record = signRecord(SWARM, FIELDS, signing);

  void test('a signed record fits the protocol schema and verifies with the raw key, as bytes or base64url', () => {
    // The tracker's own wire check: throws if the record does not fit SegmentRecordSchema.
    parseServerMessage(JSON.stringify({ type: 'records', swarm: SWARM, records: [record] }));
    assert.deepEqual({ ...record, keyId: undefined, signature: undefined }, { ...FIELDS, keyId: undefined, signature: undefined });
    assert.equal(record.keyId, key.keyId);
    assert.ok(verifyRecord(SWARM, record, key.publicKey));
    assert.ok(verifyRecord(SWARM, record, Buffer.from(key.publicKey, 'base64url')));
  });

  void test('the signature is plain Ed25519 over recordSigningPayload, checkable with WebCrypto as players do', async () => {
    const publicKey = await crypto.subtle.importKey('raw', new Uint8Array(Buffer.from(key.publicKey, 'base64url')), { name: 'Ed25519' }, false, ['verify']);
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, new Uint8Array(Buffer.from(record.signature, 'base64url')), new Uint8Array(recordSigningPayload(SWARM, record)));
    assert.ok(ok);
  });

  void test('any tampered field, another swarm or another key fails verification', () => {
    const tampered: SegmentRecord[] = [
      { ...record, sn: record.sn + 1 },
      { ...record, rendition: 'r1abd' },
      { ...record, sizeBytes: record.sizeBytes - 1 },
      { ...record, sha256: `${'ab'.repeat(31)}ac` },
      { ...record, signature: `${record.signature.startsWith('A') ? 'B' : 'A'}${record.signature.slice(1)}` },
    ];
    for (const bad of tampered) assert.equal(verifyRecord(SWARM, bad, key.publicKey), false, JSON.stringify(bad));
    assert.equal(verifyRecord(`${SWARM}x`, record, key.publicKey), false);
    assert.equal(verifyRecord(SWARM, record, generateSigningKey().publicKey), false);
  });

  void test('malformed keys and signatures give false, never an exception', () => {
    for (const badKey of ['', 'short', '!'.repeat(43), new Uint8Array(31), new Uint8Array(33)]) {
      assert.equal(verifyRecord(SWARM, record, badKey), false);
    }
    // Same bytes, other spelling: the last character's 4 unused bits set.
    const last = record.signature.charCodeAt(85);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const nonCanonical = `${record.signature.slice(0, 85)}${alphabet.charAt(alphabet.indexOf(String.fromCharCode(last)) ^ 1)}`;
    for (const signature of ['', 'A', '*'.repeat(86), record.signature.slice(0, 84), nonCanonical]) {
      assert.equal(verifyRecord(SWARM, { ...record, signature }, key.publicKey), false);
    }
  });
});

void describe('key files', () => {
  void test('a keygen JSON file gives the private key and the public identity; a public-only or bare PKCS#8 file works too', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'swarmcast-keys-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const key = generateSigningKey();
    const full = join(dir, 'full.json');
    const publicOnly = join(dir, 'public.json');
    const bare = join(dir, 'bare.txt');
    await writeFile(full, JSON.stringify(key));
    await writeFile(publicOnly, JSON.stringify({ publicKey: key.publicKey }));
    await writeFile(bare, `${key.privateKeyPkcs8}\n`);
    const identity = { keyId: key.keyId, publicKey: key.publicKey };
    assert.equal(await readSigningKeyFile(full), key.privateKeyPkcs8);
    assert.equal(await readSigningKeyFile(bare), key.privateKeyPkcs8);
    assert.deepEqual(await readPublicKeyFile(full), identity);
    assert.deepEqual(await readPublicKeyFile(publicOnly), identity);
    assert.deepEqual(await readPublicKeyFile(bare), identity);
    await assert.rejects(readSigningKeyFile(publicOnly), /has no privateKeyPkcs8/);
    await writeFile(bare, '{not json');
    await assert.rejects(readPublicKeyFile(bare), (error: unknown) => error instanceof IntegrityError && error.code === 'INTEGRITY_INVALID_KEY');
  });
});
