/**
 * Encodes the bundled loop with ffmpeg: 10 MPEG-TS segments of exactly 2.000 s (426x240, 30 fps,
 * H.264 Main ~250 kb/s with a GOP of exactly 2 s, AAC-LC 48 kHz stereo 64 kb/s) and index.json,
 * into packages/origin/assets/loop/seg-0000N.mpegts.
 * The output is committed, so the demo runs on machines without ffmpeg.
 *
 *   npx tsx packages/origin/scripts/make-assets.ts [outDir]
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '../src/find-executable.js';
import { defaultLoopDir, parseLoopIndex, type LoopIndex } from '../src/loop-assets.js';
import { codecsAttribute, detectTsCodecs } from '../src/ts-codecs.js';

const run = promisify(execFile);

const LOOP = { width: 426, height: 240, fps: 30, segmentSec: 2, segments: 10 } as const;
const GOP_FRAMES = LOOP.fps * LOOP.segmentSec;
const DURATION_SEC = LOOP.segmentSec * LOOP.segments;
/** The assets are committed: keep them small. */
const MAX_TOTAL_BYTES = 1_000_000;

/** A monospace font for drawtext, or undefined (then testsrc2's own clock is the only counter). */
async function findFont(): Promise<string | undefined> {
  try {
    const { stdout } = await run('fc-match', ['-f', '%{file}', 'monospace']);
    return stdout !== '' && existsSync(stdout) ? stdout : undefined;
  } catch {
    return undefined;
  }
}

function videoFilter(font: string | undefined): string[] {
  if (font === undefined) return [];
  // testsrc2 draws its own clock top-left; this adds the loop segment and frame number bottom-left.
  const text = `seg %{eif\\:trunc(n/${GOP_FRAMES})\\:d}  frame %{eif\\:n\\:d\\:3}`;
  const style = 'x=8:y=h-th-8:fontsize=18:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=4';
  return ['-vf', `drawtext=fontfile=${font}:text='${text}':${style}`];
}

function encodeArgs(outDir: string, font: string | undefined): string[] {
  const { width, height, fps, segmentSec } = LOOP;
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${DURATION_SEC}`],
    // 440 Hz fits a whole number of cycles in 20 s, so the loop point is seamless.
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${DURATION_SEC}`],
    ...videoFilter(font),
    ...['-c:v', 'libx264', '-profile:v', 'main', '-level:v', '3.0', '-preset', 'medium', '-pix_fmt', 'yuv420p'],
    ...['-g', `${GOP_FRAMES}`, '-keyint_min', `${GOP_FRAMES}`, '-sc_threshold', '0'],
    // One encoder thread: x264 output is then the same on every run (and gentle on shared cores).
    ...['-threads', '1'],
    ...['-b:v', '250k', '-maxrate', '250k', '-bufsize', '500k'],
    ...['-c:a', 'aac', '-b:a', '64k', '-ac', '2', '-ar', '48000'],
    ...['-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'],
    ...['-f', 'hls', '-hls_time', `${segmentSec}`, '-hls_list_size', '0', '-hls_playlist_type', 'vod'],
    ...['-hls_flags', 'independent_segments', '-hls_segment_filename', join(outDir, 'seg-%05d.ts')],
    join(outDir, 'index.m3u8'),
  ];
}

/** EXTINF durations ffmpeg wrote, in order. */
function extinfs(playlist: string): number[] {
  return [...playlist.matchAll(/^#EXTINF:([\d.]+),/gm)].map((m) => Number(m[1]));
}

/** Counts video frames and checks the first is a keyframe, with ffprobe when it is installed. */
async function checkGop(file: string): Promise<void> {
  const ffprobe = await findExecutable('ffprobe');
  if (ffprobe === undefined) return;
  const { stdout } = await run(ffprobe, ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=flags', '-of', 'json', file]);
  const parsed = JSON.parse(stdout) as { packets?: { flags?: string }[] };
  const flags = (parsed.packets ?? []).map((p) => p.flags ?? '');
  if (flags.length !== GOP_FRAMES || !flags[0]?.startsWith('K')) {
    throw new Error(`${file}: ${flags.length} video frames, first flags ${flags[0] ?? '-'}; want ${GOP_FRAMES} starting with a keyframe`);
  }
}

async function main(): Promise<void> {
  const outDir = process.argv[2] ?? defaultLoopDir;
  const ffmpeg = await findExecutable('ffmpeg');
  if (ffmpeg === undefined) throw new Error('ffmpeg not found on PATH (apt-get install -y ffmpeg)');
  const font = await findFont();
  const work = await mkdtemp(join(tmpdir(), 'swarmcast-assets-'));
  try {
    await run(ffmpeg, encodeArgs(work, font));
    const durations = extinfs(await readFile(join(work, 'index.m3u8'), 'utf8'));
    if (durations.length !== LOOP.segments || durations.some((d) => Math.abs(d - LOOP.segmentSec) > 0.0005)) {
      throw new Error(`expected ${LOOP.segments} segments of ${LOOP.segmentSec} s, ffmpeg wrote ${durations.join(', ')}`);
    }
    await mkdir(outDir, { recursive: true });
    for (const old of await readdir(outDir)) if (/^seg-\d+\.(ts|mpegts)$/.test(old)) await rm(join(outDir, old));
    const segments: LoopIndex['segments'] = [];
    for (let i = 0; i < LOOP.segments; i++) {
      const encoded = join(work, `seg-${String(i).padStart(5, '0')}.ts`);
      // .mpegts on disk: lint and editors take *.ts for TypeScript (see loop-assets.ts).
      const file = `seg-${String(i).padStart(5, '0')}.mpegts`;
      await checkGop(encoded);
      const bytes = await readFile(encoded);
      await writeFile(join(outDir, file), bytes);
      segments.push({ file, durationSec: LOOP.segmentSec, bytes: bytes.length });
    }
    const codecs = codecsAttribute(detectTsCodecs(await readFile(join(work, 'seg-00000.ts'))));
    const total = segments.reduce((sum, s) => sum + s.bytes, 0);
    const index: LoopIndex = parseLoopIndex({
      segmentDurationSec: LOOP.segmentSec,
      segments,
      codecs,
      bandwidth: Math.ceil(Math.max(...segments.map((s) => (s.bytes * 8) / s.durationSec))),
      averageBandwidth: Math.ceil((total * 8) / DURATION_SEC),
      resolution: `${LOOP.width}x${LOOP.height}`,
    });
    await writeFile(join(outDir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
    console.log(`wrote ${LOOP.segments} segments, ${total} bytes, codecs ${codecs}, drawtext ${font ?? 'off'} -> ${outDir}`);
    if (total > MAX_TOTAL_BYTES) throw new Error(`assets are ${total} bytes, over the ${MAX_TOTAL_BYTES} budget`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
