/**
 * The ffmpeg commands that make the formats catalog: one encode of the ladder (plus a second,
 * different clip for the discontinuity type), then fast stream-copy segmentations, one per type.
 * Everything is fixed (lavfi sources, bitexact flags, a key derived from a constant), so the
 * output is the same on every run and the recipe's hash names the cache directory.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { LADDER, SINGLE_RUNG } from './format-types.js';

/** Media length of the main clip; the discontinuity type is two halves of this length in all. */
export const MEDIA_SEC = 60;
export const SEGMENT_SEC = 2;
const FPS = 25;
const AUDIO = ['-c:a', 'aac', '-b:a', '64k', '-ac', '2', '-ar', '48000'];
const BITEXACT = ['-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'];
const QUIET = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];

/** AES-128 key and IV of the aes128 type: constants, so the ciphertext is reproducible. */
export const AES_KEY = createHash('sha256').update('swarmcast formats aes128 key').digest().subarray(0, 16);
export const AES_IV_HEX = createHash('sha256').update('swarmcast formats aes128 iv').digest('hex').slice(0, 32);

function video(kbps: number): string[] {
  return [
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-level:v', '3.0', '-pix_fmt', 'yuv420p'],
    // No B-frames: video then starts at its first DTS in every segment, as close to the audio as
    // the AAC frames allow, which leaves hls.js no gap to jump at a live start.
    ...['-g', `${FPS * SEGMENT_SEC}`, '-keyint_min', `${FPS * SEGMENT_SEC}`, '-sc_threshold', '0', '-bf', '0'],
    ...['-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${2 * kbps}k`],
  ];
}

/** One ffmpeg run: its arguments (relative paths resolve in the cache directory). */
export type FfmpegStep = readonly string[];

/** The ladder from one testsrc2 decode, one MP4 per rung. */
function ladderStep(): FfmpegStep {
  const top = LADDER[LADDER.length - 1];
  if (top === undefined) throw new Error('empty ladder');
  const split = LADDER.map((_, i) => `[s${i}]`).join('');
  const scales = LADDER.map((r, i) => `[s${i}]scale=${r.width}:${r.height}[v${i}]`).join(';');
  return [
    ...QUIET,
    ...['-f', 'lavfi', '-i', `testsrc2=size=${top.width}x${top.height}:rate=${FPS}:duration=${MEDIA_SEC}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${MEDIA_SEC}`],
    ...['-filter_complex', `[0:v]split=${LADDER.length}${split};${scales}`],
    ...LADDER.flatMap((r, i) => ['-map', `[v${i}]`, '-map', '1:a', ...video(r.videoKbps), ...AUDIO, ...BITEXACT, `src-${r.name}.mp4`]),
  ];
}

/** A second clip (other pattern, other tone) for the discontinuity type's second half. */
function altStep(): FfmpegStep {
  const rung = LADDER.find((r) => r.name === SINGLE_RUNG);
  if (rung === undefined) throw new Error('no single rung');
  const half = MEDIA_SEC / 2;
  return [
    ...QUIET,
    ...['-f', 'lavfi', '-i', `testsrc=size=${rung.width}x${rung.height}:rate=${FPS}:duration=${half}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=880:sample_rate=48000:duration=${half}`],
    ...video(rung.videoKbps),
    ...AUDIO,
    ...BITEXACT,
    `alt-${SINGLE_RUNG}.mp4`,
  ];
}

/** Stream-copy HLS segmentation of `input` into `dir` (files index.m3u8 + segments). */
function hlsStep(input: string, dir: string, extra: readonly string[], segmentFile: string): FfmpegStep {
  return [
    ...QUIET,
    ...['-i', input, '-c', 'copy', ...BITEXACT],
    ...['-f', 'hls', '-hls_time', `${SEGMENT_SEC}`, '-hls_list_size', '0', '-hls_playlist_type', 'vod'],
    ...extra,
    ...['-hls_segment_filename', join(dir, segmentFile), join(dir, 'index.m3u8')],
  ];
}

/** Files the recipe writes besides ffmpeg's own output. */
export interface RecipeFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface Recipe {
  readonly files: readonly RecipeFile[];
  readonly steps: readonly FfmpegStep[];
}

/**
 * MPEG-TS files on disk end in .mpegts (as in assets/loop: tools take *.ts for TypeScript); the
 * origin serves them as .ts. `single` is the aes128/byterange rung.
 */
export function formatsRecipe(): Recipe {
  const single = `src-${SINGLE_RUNG}.mp4`;
  const keyInfo = `key.bin\n${join('aes128', 'key.bin')}\n${AES_IV_HEX}\n`;
  return {
    files: [
      { path: join('aes128', 'key.bin'), bytes: new Uint8Array(AES_KEY) },
      { path: join('aes128', 'keyinfo.txt'), bytes: new TextEncoder().encode(keyInfo) },
    ],
    steps: [
      ladderStep(),
      altStep(),
      ...LADDER.map((r) => hlsStep(`src-${r.name}.mp4`, join('ts-abr', r.name), [], 'seg-%d.mpegts')),
      ...LADDER.map((r) =>
        hlsStep(`src-${r.name}.mp4`, join('fmp4', r.name), ['-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4'], 'seg-%d.m4s'),
      ),
      hlsStep(single, join('byterange', SINGLE_RUNG), ['-hls_flags', 'single_file'], 'media.mpegts'),
      hlsStep(single, join('aes128', SINGLE_RUNG), ['-hls_key_info_file', join('aes128', 'keyinfo.txt')], 'seg-%d.mpegts'),
      // Two encodes whose timestamps do not follow: the catalog joins the first half of ts-abr's
      // middle rung to this alternate clip, shifted by 1000 s.
      hlsStep(`alt-${SINGLE_RUNG}.mp4`, join('discontinuity', SINGLE_RUNG), ['-output_ts_offset', '1000'], 'seg-%d.mpegts'),
    ],
  };
}

/** Names the cache directory: changes whenever a command or a file of the recipe changes. */
export function recipeHash(recipe: Recipe, ffmpegVersion: string): string {
  const h = createHash('sha256').update(ffmpegVersion);
  for (const step of recipe.steps) h.update(JSON.stringify(step));
  for (const file of recipe.files) h.update(file.path).update(file.bytes);
  return h.digest('hex').slice(0, 16);
}
