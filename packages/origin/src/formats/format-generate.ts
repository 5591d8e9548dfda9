/**
 * Runs the formats recipe once into a cache directory: generated in a fresh temp directory beside
 * it, then renamed into place, so a half-written catalog is never used and two processes
 * generating at once both end with a complete one.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OriginError } from '../errors.js';
import { findExecutable } from '../find-executable.js';
import { formatsRecipe, recipeHash, type FfmpegStep } from './format-recipe.js';

/** Written last: its presence means the directory is complete. */
const DONE_FILE = 'done.json';
const STDERR_TAIL_CHARS = 4096;
/** One step on a busy 2-core machine takes ~30 s at most; beyond this something is wrong. */
const STEP_TIMEOUT_MS = 180_000;

/** Runs ffmpeg with `args` in `cwd`; rejects with its stderr tail on a non-zero exit. */
function runFfmpeg(ffmpegPath: string, args: FfmpegStep, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new OriginError('ORIGIN_FORMATS_GENERATION_FAILED', `cannot run ${ffmpegPath}`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new OriginError('ORIGIN_FORMATS_GENERATION_FAILED', `ffmpeg ${args.join(' ')} exited with ${code ?? signal}: ${output.trim()}`));
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** The first line of `ffmpeg -version`, part of the cache key: another build may encode otherwise. */
async function ffmpegVersion(ffmpegPath: string): Promise<string> {
  const out = await runFfmpeg(ffmpegPath, ['-hide_banner', '-version'], '/');
  return out.split('\n', 1)[0] ?? '';
}

async function generate(ffmpegPath: string, dir: string): Promise<void> {
  const recipe = formatsRecipe();
  for (const file of recipe.files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.bytes);
  }
  for (const step of recipe.steps) {
    // The HLS muxer does not create its output directory.
    const playlist = step[step.length - 1];
    if (playlist !== undefined && playlist.endsWith('.m3u8')) await mkdir(join(dir, dirname(playlist)), { recursive: true });
    await runFfmpeg(ffmpegPath, step, dir);
  }
  await writeFile(join(dir, DONE_FILE), `${JSON.stringify({ generatedAt: new Date().toISOString() })}\n`);
}

/**
 * The catalog's directory under `cacheDir`, generated first if needed. Throws
 * ORIGIN_FFMPEG_NOT_FOUND when ffmpeg is not on PATH (Debian: apt-get install ffmpeg).
 */
export async function ensureFormatsGenerated(cacheDir: string, log: (line: string) => void = () => undefined): Promise<string> {
  const ffmpegPath = await findExecutable('ffmpeg');
  if (ffmpegPath === undefined) {
    throw new OriginError('ORIGIN_FFMPEG_NOT_FOUND', 'the formats catalog is generated with ffmpeg, which is not on PATH (Debian: apt-get install ffmpeg)');
  }
  const hash = recipeHash(formatsRecipe(), await ffmpegVersion(ffmpegPath));
  const target = join(cacheDir, hash);
  if (await exists(join(target, DONE_FILE))) return target;
  await mkdir(cacheDir, { recursive: true });
  const temp = await mkdtemp(join(cacheDir, `${hash}.tmp-`));
  const startedAt = performance.now();
  try {
    log(`generating the formats catalog with ffmpeg into ${target}`);
    await generate(ffmpegPath, temp);
    // A stale incomplete target (killed mid-rename never happens, but a manual copy may): replace it.
    if ((await exists(target)) && !(await exists(join(target, DONE_FILE)))) await rm(target, { recursive: true, force: true });
    await rename(temp, target).catch(async (error: unknown) => {
      // Another process finished first: use its copy.
      if (await exists(join(target, DONE_FILE))) return;
      throw error;
    });
    log(`formats catalog generated in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    return target;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
