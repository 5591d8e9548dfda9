import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RecordBook } from '../src/index.ts';
import { nodeCrypto } from './support/node-crypto.ts';
import { TestSigner } from './support/signing.ts';
import { VirtualClock } from './support/virtual-clock.ts';

void describe('RecordBook', () => {
  void test('a record held already is not checked again; a different one for the same segment is', async () => {
    const signer = new TestSigner();
    const book = new RecordBook('swarm', nodeCrypto, new VirtualClock(0), 64);
    book.setKeys([signer.key]);
    const bytes = new Uint8Array([1, 2, 3]);
    const record = signer.record('swarm', { rendition: 'v0', sn: 1 }, bytes);
    await book.add([record]);
    await book.add([record, { ...record }]);
    assert.equal(book.signaturesChecked, 1, 'the repeats cost no signature check');
    assert.equal(await book.verify({ rendition: 'v0', sn: 1 }, bytes), 'ok');
    // Same segment, other bytes (a forged signature): checked, refused, the good record kept.
    await book.add([{ ...record, sha256: 'ff'.repeat(32) }]);
    assert.equal(book.signaturesChecked, 2);
    assert.equal(book.rejected, 1);
    assert.equal(await book.verify({ rendition: 'v0', sn: 1 }, bytes), 'ok');
  });
});
