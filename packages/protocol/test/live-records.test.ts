import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_LIVE_RECORDS, MAX_LIVE_RECORDS_BYTES, ProtocolError, parseLiveRecords, type LiveRecords, type ProtocolErrorCode, type SegmentRecord } from '../src/index.ts';

const record = (sn: number, rendition = 'r1x'): SegmentRecord => ({ rendition, sn, sizeBytes: 1000 + sn, sha256: 'ab'.repeat(32), keyId: 'k1', signature: 'A'.repeat(86) });
const good: LiveRecords = { swarm: 'https://cdn.example/live/master.m3u8', rendition: 'r1x', records: [record(7), record(8)] };

function rejects(text: string, code: ProtocolErrorCode): void {
  assert.throws(
    () => parseLiveRecords(text),
    (e: unknown) => e instanceof ProtocolError && e.code === code,
  );
}

void describe('live records documents', () => {
  void test('a valid document parses; anything else is a ProtocolError with its code', () => {
    assert.deepEqual(parseLiveRecords(JSON.stringify(good)), good);
    assert.deepEqual(parseLiveRecords(JSON.stringify({ ...good, records: [] })).records, []);
    rejects('{', 'LIVE_RECORDS_NOT_JSON');
    rejects(' '.repeat(MAX_LIVE_RECORDS_BYTES + 1), 'LIVE_RECORDS_TOO_LARGE');
    rejects(`"${'é'.repeat(MAX_LIVE_RECORDS_BYTES / 2)}"`, 'LIVE_RECORDS_TOO_LARGE');
    const bad: unknown[] = [
      { ...good, extra: 1 },
      { ...good, swarm: '' },
      { ...good, rendition: 'bad id' },
      { ...good, records: [{ ...record(1), signature: 'short' }] },
      { ...good, records: [{ ...record(1), extra: true }] },
      { ...good, records: Array.from({ length: MAX_LIVE_RECORDS + 1 }, (_, i) => record(i)) },
      // A record of another rendition than the document's.
      { ...good, records: [record(1), record(2, 'r2x')] },
      [],
      null,
    ];
    for (const value of bad) rejects(JSON.stringify(value), 'LIVE_RECORDS_INVALID');
  });
});
