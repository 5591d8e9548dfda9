import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_VOD_LIST_BYTES, ProtocolError, parseVodList, vodListSigningPayload, type ProtocolErrorCode, type VodList } from '../src/index.ts';

const SIG = 'A'.repeat(86);
const HASH = 'ab'.repeat(32);
const good: VodList = { swarm: 'https://cdn.example/vod/master.m3u8', rendition: 'r1x', keyId: 'k1', signature: SIG, segments: [[0, 100, HASH], [1, 200, HASH]] };

function rejects(text: string, code: ProtocolErrorCode): void {
  assert.throws(
    () => parseVodList(text),
    (e: unknown) => e instanceof ProtocolError && e.code === code,
  );
}

void describe('VOD hash lists', () => {
  void test('the signing payload is the prefix, swarm, rendition, then one line per entry in order', () => {
    const text = new TextDecoder().decode(vodListSigningPayload('s', 'r', [[3, 10, HASH], [1, 20, HASH]]));
    assert.equal(text, `swarmcast-vod-v1\ns\nr\n3 10 ${HASH}\n1 20 ${HASH}\n`);
    assert.equal(new TextDecoder().decode(vodListSigningPayload('s', 'r', [])), 'swarmcast-vod-v1\ns\nr\n');
  });

  void test('a valid list parses; anything else is a ProtocolError with its code', () => {
    assert.deepEqual(parseVodList(JSON.stringify(good)), good);
    rejects('{', 'VOD_LIST_NOT_JSON');
    rejects(' '.repeat(MAX_VOD_LIST_BYTES + 1), 'VOD_LIST_TOO_LARGE');
    rejects(`"${'é'.repeat(MAX_VOD_LIST_BYTES / 2)}"`, 'VOD_LIST_TOO_LARGE');
    const bad: unknown[] = [
      { ...good, extra: 1 },
      { ...good, swarm: '' },
      { ...good, swarm: 'x'.repeat(513) },
      { ...good, rendition: 'bad id' },
      { ...good, keyId: 'k'.repeat(17) },
      { ...good, signature: 'A'.repeat(85) },
      { ...good, segments: [[0, 100]] },
      { ...good, segments: [[0, 100, HASH, 1]] },
      { ...good, segments: [[-1, 100, HASH]] },
      { ...good, segments: [[0, 0, HASH]] },
      { ...good, segments: [[0, 64 * 1024 * 1024 + 1, HASH]] },
      { ...good, segments: [[0, 1, HASH.toUpperCase()]] },
      { ...good, segments: Array.from({ length: 20_001 }, (_, i) => [i, 1, HASH]) },
      [],
      null,
    ];
    for (const value of bad) rejects(JSON.stringify(value), 'VOD_LIST_INVALID');
  });
});
