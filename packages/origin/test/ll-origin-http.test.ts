/** The LL-HLS origin over HTTP (needs ffmpeg): blocking playlist reload, held preload-hint parts, parts that add up to segments. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startLlOrigin, type LlOrigin } from '../src/index.ts';

let origin: LlOrigin | undefined;

before(async () => {
  origin = await startLlOrigin({ partMs: 500, partsPerSegment: 4 });
});

after(async () => {
  await origin?.close();
});

function live(): LlOrigin {
  if (!origin) throw new Error('setup failed');
  return origin;
}

async function bytesOf(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return new Uint8Array(await res.arrayBuffer());
}

void describe('LL-HLS origin over HTTP', () => {
  void test('the hinted part is held until it exists; the segment is its parts end to end', async () => {
    const o = live();
    const playlist = await (await fetch(`${o.url}/ll/0/playlist.m3u8`)).text();
    const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-(\d+)\.(\d)\.m4s"/.exec(playlist);
    assert.ok(hint, playlist);
    const msn = Number(hint[1]);
    // Not made yet when asked: held, then answered 200 (never 404).
    const first = await bytesOf(`${o.url}/ll/0/part-${msn}.${hint[2]}.m4s`);
    assert.ok(first.length > 1000);
    // Blocking reload: the playlist that lists the next segment's first part.
    const blocked = await fetch(`${o.url}/ll/0/playlist.m3u8?_HLS_msn=${msn + 1}&_HLS_part=0`);
    assert.equal(blocked.status, 200);
    assert.match(await blocked.text(), new RegExp(`part-${msn + 1}\\.0\\.m4s`));
    const parts = await Promise.all([0, 1, 2, 3].map((k) => bytesOf(`${o.url}/ll/0/part-${msn}.${k}.m4s`)));
    const segment = await bytesOf(`${o.url}/ll/0/seg-${msn}.m4s`);
    assert.deepEqual(segment, new Uint8Array(Buffer.concat(parts)));
    assert.deepEqual(o.segmentBytes(msn), segment);
    const init = await bytesOf(`${o.url}/ll/0/init.mp4`);
    assert.equal(new TextDecoder().decode(init.subarray(4, 8)), 'ftyp');
  });

  void test('bad or far-future blocking requests are refused at once; unknown paths are 404', async () => {
    const o = live();
    assert.equal((await fetch(`${o.url}/ll/0/playlist.m3u8?_HLS_msn=99999`)).status, 400);
    assert.equal((await fetch(`${o.url}/ll/0/playlist.m3u8?_HLS_msn=abc`)).status, 400);
    assert.equal((await fetch(`${o.url}/ll/0/playlist.m3u8?_HLS_part=1`)).status, 400);
    assert.equal((await fetch(`${o.url}/ll/0/part-0.9.m4s`)).status, 404);
    assert.equal((await fetch(`${o.url}/ll/0/seg-99999.m4s`)).status, 404);
    assert.equal((await fetch(`${o.url}/nothing`)).status, 404);
    const range = await fetch(`${o.url}/ll/0/init.mp4`, { headers: { range: 'bytes=0-7' } });
    assert.equal(range.status, 206);
    assert.equal((await range.arrayBuffer()).byteLength, 8);
  });

  void test('invalid config fails with a clear message', async () => {
    await assert.rejects(startLlOrigin({ partMs: 5 }), /partMs must be an integer in \[100, 2000\]/);
  });
});
