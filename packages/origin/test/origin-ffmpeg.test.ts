import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { FfmpegLiveSource } from '../src/live-ffmpeg.js';
import { OriginError, startOrigin } from '../src/index.js';
import { findExecutable } from '../src/find-executable.js';
import { fetchBytes, fetchText, parseMasterPlaylist, parseMediaPlaylist } from './helpers.js';

/** ffmpeg children of this process, from /proc (the origin does not expose the PID). */
function ffmpegChildren(): { pid: number; cmdline: string[] }[] {
  const out: { pid: number; cmdline: string[] }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (ppid === process.pid && (cmdline[0] ?? '').endsWith('ffmpeg')) out.push({ pid: Number(name), cmdline });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const ffmpeg = await findExecutable('ffmpeg');
const skip = ffmpeg === undefined ? 'ffmpeg not on PATH' : false;

test('ffmpeg live source: playlist with >= 3 MPEG-TS segments, codecs from the stream, close() kills ffmpeg', { skip, timeout: 60_000 }, async () => {
  const origin = await startOrigin({ port: 0, liveSource: 'ffmpeg', liveWindowSegments: 4 });
  try {
    assert.equal(origin.liveSource, 'ffmpeg');
    const [child] = ffmpegChildren();
    assert.ok(child !== undefined, 'an ffmpeg child runs');
    const master = parseMasterPlaylist((await fetchText(origin.liveMasterUrl)).text);
    assert.equal(master.variants[0]?.uri, '0/playlist.m3u8');
    assert.equal(master.variants[0].attributes.CODECS, 'avc1.4d401e,mp4a.40.2');
    assert.equal(master.variants[0].attributes.RESOLUTION, '426x240');
    assert.ok(Number(master.variants[0].attributes.BANDWIDTH) > 100_000);

    const { res, text } = await fetchText(`${origin.url}/live/0/playlist.m3u8?token=x`);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    // ffmpeg writes 6 decimals; only the structure is checked here.
    const p = parseMediaPlaylist(text.replace(/^#EXTINF:(\d+\.\d{3})\d*,/gm, '#EXTINF:$1,'));
    assert.ok(p.segments.length >= 3 && p.segments.length <= 4, `${p.segments.length} segments`);
    assert.equal(p.endList, false);
    p.segments.forEach((s, i) => assert.equal(s.uri, `seg-${p.mediaSequence + i}.ts`, 'file number = media sequence'));

    const last = p.mediaSequence + p.segments.length - 1;
    const { res: segRes, bytes } = await fetchBytes(`${origin.url}/live/0/seg-${last}.ts`);
    assert.equal(segRes.status, 200);
    assert.equal(bytes[0], 0x47, 'MPEG-TS sync byte');
    assert.equal(bytes.length % 188, 0);
    assert.deepEqual(await origin.segmentBytes('live', last), bytes);
    const { res: partial, bytes: head } = await fetchBytes(`${origin.url}/live/0/seg-${last}.ts`, { headers: { range: 'bytes=0-187' } });
    assert.equal(partial.status, 206);
    assert.deepEqual(head, bytes.subarray(0, 188));
    assert.equal((await fetchBytes(`${origin.url}/live/0/seg-${last + 5}.ts`)).res.status, 404, 'not yet written');

    await origin.close();
    assert.equal(isAlive(child.pid), false, `ffmpeg ${child.pid} is gone`);
    assert.deepEqual(ffmpegChildren(), []);
    const segmentPattern = child.cmdline[child.cmdline.indexOf('-hls_segment_filename') + 1] ?? '';
    assert.match(segmentPattern, /swarmcast-origin-live-/);
    assert.equal(existsSync(dirname(segmentPattern)), false, 'temp dir removed');
  } finally {
    await origin.close(); // idempotent: a no-op when the test got that far
  }
});

test('ffmpeg that cannot start fails with a clear error and leaves nothing behind', { skip, timeout: 30_000 }, async () => {
  await assert.rejects(
    FfmpegLiveSource.start({ ffmpegPath: '/nonexistent/ffmpeg', liveWindowSegments: 3 }),
    (e: unknown) => e instanceof OriginError && e.code === 'ORIGIN_FFMPEG_EXITED' && /ENOENT/.test(e.message),
  );
  await assert.rejects(
    FfmpegLiveSource.start({ ffmpegPath: '/bin/false', liveWindowSegments: 3 }),
    (e: unknown) => e instanceof OriginError && e.code === 'ORIGIN_FFMPEG_EXITED',
  );
  await assert.rejects(
    FfmpegLiveSource.start({ ffmpegPath: ffmpeg ?? '', liveWindowSegments: 3, startTimeoutMs: 300 }),
    (e: unknown) => e instanceof OriginError && e.code === 'ORIGIN_FFMPEG_START_TIMEOUT' && /0\/3 segments after 300 ms/.test(e.message),
  );
  assert.deepEqual(ffmpegChildren(), [], 'the timed-out ffmpeg was killed');
});
