/**
 * A small DASH VOD for the Shaka e2e test, encoded once by ffmpeg (-f dash: SegmentTemplate with
 * $Number$, 2 s segments, 320x180 video + AAC audio, 60 s) into a cache dir under the OS temp dir
 * and reused by later runs. Fails with a clear error when ffmpeg is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The MPD's file name inside the fixture dir. */
export const DASH_MPD_NAME = 'stream.mpd';
/** Length of the stream, in seconds. */
export const DASH_DURATION_SEC = 60;
/** Bump when the encoding below changes, so a stale cache is not reused. */
const FIXTURE_VERSION = 'v1';
/** Encoding 60 s at 320x180 takes ~5-10 s on this machine; more means something is wrong. */
const ENCODE_TIMEOUT_MS = 120_000;

const FFMPEG_ARGS: readonly string[] = [
  '-hide_banner', '-loglevel', 'error', '-nostdin',
  '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30',
  '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
  '-t', String(DASH_DURATION_SEC),
  '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0',
  '-b:v', '300k', '-maxrate', '300k', '-bufsize', '600k',
  '-c:a', 'aac', '-b:a', '64k', '-ac', '2',
  '-f', 'dash', '-seg_duration', '2', '-use_template', '1', '-use_timeline', '0',
  '-init_seg_name', 'init-$RepresentationID$.m4s', '-media_seg_name', 'chunk-$RepresentationID$-$Number%05d$.m4s',
  DASH_MPD_NAME,
];

/** The fixture dir (with DASH_MPD_NAME in it), encoding it first if no complete copy is cached. */
export async function ensureDashFixture(): Promise<string> {
  const dir = join(tmpdir(), `swarmcast-dash-fixture-${FIXTURE_VERSION}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  if (spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('e2e: ffmpeg is required to encode the DASH fixture (apt-get install -y ffmpeg)');
  }
  // Encoded aside and renamed into place, so an interrupted run never leaves a half fixture.
  const work = await mkdtemp(join(tmpdir(), 'swarmcast-dash-encode-'));
  try {
    await runFfmpeg(work);
    await writeFile(join(work, '.complete'), `${FIXTURE_VERSION}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return dir;
}

function runFfmpeg(cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', FFMPEG_ARGS, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, ENCODE_TIMEOUT_MS);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`e2e: ffmpeg (DASH fixture) failed: ${signal ?? `exit ${String(code)}`}: ${stderr.trim()}`));
    });
  });
}
