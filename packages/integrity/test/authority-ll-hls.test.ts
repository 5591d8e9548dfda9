/**
 * LL-HLS: the authority signs every part of a live low-latency stream (the real LL origin: 0.5 s
 * parts, blocking playlist reload) as {partRenditionId(rendition, index), msn}, from blocking
 * playlist requests, so a part's record exists within a part duration of the part.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { partRenditionId, renditionIdFromUrl } from '@swarmcast/protocol';
import { startLlOrigin } from '@swarmcast/origin';
import { verifyRecord } from '../src/index.js';
import { eventually, startAuthority } from './helpers.js';

const PART_MS = 500;
const PARTS_PER_SEGMENT = 4;
const WATCH_MS = 4_000;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

void describe('IntegrityAuthority: LL-HLS parts', () => {
  void test('every new part is signed as the origin serves it, from one blocking playlist request per part, within a part duration', { timeout: 120_000 }, async (t) => {
    const origin = await startLlOrigin({ partMs: PART_MS, partsPerSegment: PARTS_PER_SEGMENT });
    t.after(() => origin.close());
    const mediaUrl = new URL('0/playlist.m3u8', origin.masterUrl).href;
    const rendition = renditionIdFromUrl(mediaUrl);
    const { key, records, errors } = startAuthority(t, [origin.masterUrl]);
    const partRecords = (): typeof records => records.filter((r) => r.record.rendition.startsWith(`${rendition}.p`));
    await eventually(() => partRecords().length > 0, 'a first part record', 10_000);
    origin.resetStats();
    // When each part first exists at the origin, seen by polling it every 10 ms. The origin, the
    // authority and this loop share one event loop: its stalls (a loaded machine) delay all three
    // and are allowed for on top of the authority's own bound.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    t.after(() => { loopDelay.disable(); });
    const firstSeenMs = new Map<string, number>();
    const startedMs = Date.now();
    let msn = Math.max(...partRecords().map((r) => r.record.sn));
    while (Date.now() - startedMs < WATCH_MS) {
      for (let m = msn; m <= msn + 1; m++) {
        for (let k = 0; k < PARTS_PER_SEGMENT; k++) {
          const id = `${partRenditionId(rendition, k)}/${m}`;
          if (!firstSeenMs.has(id) && origin.partBytes(m, k) !== undefined) firstSeenMs.set(id, Date.now());
        }
      }
      if (firstSeenMs.has(`${partRenditionId(rendition, PARTS_PER_SEGMENT - 1)}/${msn}`)) msn += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const playlistRequests = origin.stats().playlistRequests;
    const signedIds = (): Set<string> => new Set(partRecords().map((r) => `${r.record.rendition}/${r.record.sn}`));
    await eventually(() => [...firstSeenMs.keys()].every((id) => signedIds().has(id)), 'every part seen to be signed', 10_000);
    loopDelay.disable();
    const stallMs = loopDelay.max / 1e6;
    const byId = new Map(partRecords().map((r) => [`${r.record.rendition}/${r.record.sn}`, r]));
    const lagsMs: number[] = [];
    for (const [id, seenMs] of firstSeenMs) {
      const collected = byId.get(id);
      assert.ok(collected, `part ${id} was never signed`);
      const [partRendition = '', sn = ''] = id.split('/');
      const bytes = origin.partBytes(Number(sn), Number(partRendition.slice(partRendition.lastIndexOf('.p') + 2)));
      assert.ok(bytes, `part ${id} left the origin`);
      assert.equal(collected.record.sha256, sha256(bytes), `part ${id}: hash`);
      assert.equal(collected.record.sizeBytes, bytes.length);
      assert.ok(verifyRecord(collected.swarm, collected.record, key.publicKey));
      lagsMs.push(collected.atMs - seenMs);
    }
    lagsMs.sort((a, b) => a - b);
    t.diagnostic(`${firstSeenMs.size} parts; record after the part: median ${lagsMs[Math.floor(lagsMs.length / 2)]} ms, max ${lagsMs.at(-1)} ms; ${playlistRequests} playlist requests; longest event-loop stall ${stallMs.toFixed(0)} ms`);
    assert.ok(firstSeenMs.size >= (WATCH_MS / PART_MS) - 2, `${firstSeenMs.size} parts appeared in ${WATCH_MS} ms`);
    assert.ok((lagsMs.at(-1) ?? Infinity) < PART_MS + stallMs, `a part's record came ${lagsMs.at(-1)} ms after the part (event loop stalled up to ${stallMs.toFixed(0)} ms)`);
    // Polling at half a part duration would ask twice per part.
    assert.ok(playlistRequests <= firstSeenMs.size * 1.25 + 2, `${playlistRequests} playlist requests for ${firstSeenMs.size} parts`);
    assert.deepEqual(errors, []);
  });
});
