/**
 * The media of the low-latency stream: a short test clip encoded by ffmpeg as a fragmented MP4 with
 * a keyframe at every part boundary, so every part is independent. Encoded once per machine into
 * the OS temp dir (the arguments are in the file name), then reused.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OriginError } from '../errors.js';
import { findExecutable } from '../find-executable.js';
import { splitFragmentedMp4, type FragmentedMp4 } from './mp4-fragments.js';

const run = promisify(execFile);

/** Shape of the clip: parts of partMs, a loop of loopSec. */
export interface LlAssetShape {
  /** Part duration in ms: a keyframe (and a fragment) every partMs. */
  readonly partMs: number;
  /** Length of the clip the stream loops over, in seconds. */
  readonly loopSec: number;
}

const FPS = 30;

export function llFfmpegArgs(shape: LlAssetShape, out: string): string[] {
  const gop = Math.round((shape.partMs / 1000) * FPS);
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=426x240:rate=${FPS}`, '-t', `${shape.loopSec}`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-level:v', '3.0', '-pix_fmt', 'yuv420p', '-bf', '0'],
    // A keyframe exactly at every part boundary: frag_keyframe then cuts one fragment per part.
    ...['-g', `${gop}`, '-keyint_min', `${gop}`, '-sc_threshold', '0', '-b:v', '500k', '-maxrate', '600k', '-bufsize', '300k'],
    ...['-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', out],
  ];
}

/** Encodes (or reuses) the clip and splits it into init + one fragment per part. */
export async function loadLlAsset(shape: LlAssetShape): Promise<FragmentedMp4> {
  const ffmpeg = await findExecutable('ffmpeg');
  if (ffmpeg === undefined) throw new OriginError('ORIGIN_FFMPEG_NOT_FOUND', 'the low-latency stream needs ffmpeg on PATH');
  const key = createHash('sha256').update(JSON.stringify(llFfmpegArgs(shape, ''))).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'swarmcast-ll-hls');
  const file = join(dir, `clip-${key}.mp4`);
  let bytes = await readFile(file).catch(() => undefined);
  if (bytes === undefined) {
    await mkdir(dir, { recursive: true });
    // Written under a unique name and renamed: concurrent starts never read a half-written clip.
    const partial = join(dir, `clip-${key}.${process.pid}.${Date.now()}.mp4`);
    try {
      await run(ffmpeg, llFfmpegArgs(shape, partial), { timeout: 120_000 });
      await rename(partial, file);
    } finally {
      await rm(partial, { force: true });
    }
    bytes = await readFile(file);
  }
  const mp4 = splitFragmentedMp4(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const partTicks = (shape.partMs / 1000) * mp4.timescale;
  if (mp4.fragmentTicks !== partTicks) {
    throw new OriginError('ORIGIN_ASSETS_INVALID', `clip ${file}: fragments of ${mp4.fragmentTicks} ticks, expected ${partTicks}`);
  }
  return mp4;
}
