import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { OriginConfig } from './config.js';
import { OriginError } from './errors.js';
import type { LiveSource } from './live-source.js';
import { liveSegmentUri } from './live-source.js';
import type { VariantInfo } from './loop-assets.js';
import { codecsAttribute, detectTsCodecs } from './ts-codecs.js';

export interface FfmpegLiveOptions extends Pick<OriginConfig, 'liveWindowSegments'> {
  ffmpegPath: string;
  /** Segments the playlist must list before the source counts as started. @default 3 */
  minStartSegments?: number;
  /** Give up starting after this long. @default 30000 */
  startTimeoutMs?: number;
}

const WIDTH = 426;
const HEIGHT = 240;
const SEGMENT_SEC = 2;
const PLAYLIST = 'playlist.m3u8';
const STDERR_TAIL_CHARS = 4096;
const POLL_MS = 200;
const KILL_GRACE_MS = 3000;

/** ffmpeg flags for a real-time test stream (MACHINE-NOTES), segments numbered by media sequence. */
export function ffmpegLiveArgs(dir: string, windowSegments: number): string[] {
  return [
    ...['-hide_banner', '-loglevel', 'warning', '-nostdin', '-re'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=30`],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    // Main@3.0 like the bundled loop, so both sources announce the same CODECS.
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-level:v', '3.0', '-pix_fmt', 'yuv420p'],
    ...['-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-b:v', '400k', '-maxrate', '400k', '-bufsize', '800k'],
    ...['-c:a', 'aac', '-b:a', '64k', '-ac', '2', '-ar', '48000'],
    ...['-f', 'hls', '-hls_time', `${SEGMENT_SEC}`, '-hls_list_size', `${windowSegments}`],
    // temp_file: a segment file appears (renamed) only once complete.
    ...['-hls_flags', 'delete_segments+independent_segments+temp_file+program_date_time'],
    ...['-hls_segment_filename', join(dir, 'seg-%d.ts'), join(dir, PLAYLIST)],
  ];
}

interface ListedSegment {
  sn: number;
  durationSec: number;
}

/** Segments listed in ffmpeg's playlist, by the media sequence in their file names. */
export function listedSegments(playlist: string): ListedSegment[] {
  const out: ListedSegment[] = [];
  let durationSec = 0;
  for (const line of playlist.split('\n')) {
    const extinf = /^#EXTINF:([\d.]+)/.exec(line);
    if (extinf !== null) durationSec = Number(extinf[1]);
    const uri = /^seg-(\d+)\.ts$/.exec(line.trim());
    if (uri !== null) out.push({ sn: Number(uri[1]), durationSec });
  }
  return out;
}

/** A live test stream encoded by an ffmpeg child process into a fresh temp directory. */
export class FfmpegLiveSource implements LiveSource {
  readonly kind = 'ffmpeg';
  /** PID of the ffmpeg child (-1 if it could not be spawned). */
  readonly pid: number;
  /** Temp directory ffmpeg writes into; removed by close(). */
  readonly dir: string;
  readonly #child: ChildProcess;
  readonly #exitedPromise: Promise<void>;
  #variant: VariantInfo = { bandwidth: 0, averageBandwidth: 0, resolution: `${WIDTH}x${HEIGHT}`, codecs: '' };
  #started = false;
  #exited = false;
  #spawnError: Error | undefined;
  #closing: Promise<void> | undefined;
  #stderrTail = '';

  private constructor(child: ChildProcess, dir: string) {
    this.#child = child;
    this.pid = child.pid ?? -1;
    this.dir = dir;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.#stderrTail = (this.#stderrTail + text).slice(-STDERR_TAIL_CHARS);
    });
    child.once('error', (error) => (this.#spawnError = error));
    this.#exitedPromise = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.#exited = true;
        // Quiet unless it fails: a failure while starting is thrown by start() instead.
        if (this.#started && this.#closing === undefined) {
          console.error(`swarmcast:origin ffmpeg exited unexpectedly (code ${code ?? '-'}, signal ${signal ?? '-'}):\n${this.#stderrTail}`);
        }
        resolve();
      });
    });
  }

  /** Spawns ffmpeg and resolves once its playlist lists minStartSegments segments. */
  static async start(options: FfmpegLiveOptions): Promise<FfmpegLiveSource> {
    const minSegments = options.minStartSegments ?? 3;
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const dir = await mkdtemp(join(tmpdir(), 'swarmcast-origin-live-'));
    const args = ffmpegLiveArgs(dir, options.liveWindowSegments);
    const source = new FfmpegLiveSource(spawn(options.ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] }), dir);
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        if (source.#spawnError !== undefined || source.#exited) {
          const reason = source.#spawnError?.message ?? source.#stderrTail;
          throw new OriginError('ORIGIN_FFMPEG_EXITED', `ffmpeg failed to start: ${reason}`, { cause: source.#spawnError });
        }
        const listed = await source.listed();
        if (listed.length >= minSegments) {
          source.#variant = await source.#measureVariant(listed);
          source.#started = true;
          return source;
        }
        if (Date.now() > deadline) {
          const message = `ffmpeg listed ${listed.length}/${minSegments} segments after ${timeoutMs} ms:\n${source.#stderrTail}`;
          throw new OriginError('ORIGIN_FFMPEG_START_TIMEOUT', message);
        }
        await delay(POLL_MS);
      }
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  /** Measured on the first segments: peak and mean bit rate; codecs read from the bytes. */
  async #measureVariant(listed: ListedSegment[]): Promise<VariantInfo> {
    let peak = 0;
    let bits = 0;
    let seconds = 0;
    let codecs = '';
    for (const s of listed) {
      const bytes = await this.segment(s.sn);
      if (bytes === undefined || s.durationSec <= 0) continue;
      if (codecs === '') codecs = codecsAttribute(detectTsCodecs(bytes));
      peak = Math.max(peak, (bytes.length * 8) / s.durationSec);
      bits += bytes.length * 8;
      seconds += s.durationSec;
    }
    const averageBandwidth = seconds > 0 ? Math.ceil(bits / seconds) : 0;
    return { ...this.#variant, bandwidth: Math.ceil(peak), averageBandwidth, codecs };
  }

  get variant(): VariantInfo {
    return this.#variant;
  }

  async playlist(): Promise<string | undefined> {
    try {
      return await readFile(join(this.dir, PLAYLIST), 'utf8');
    } catch {
      return undefined; // not written yet, or removed by close()
    }
  }

  async listed(): Promise<ListedSegment[]> {
    const text = await this.playlist();
    return text === undefined ? [] : listedSegments(text);
  }

  async segment(sn: number): Promise<Uint8Array | undefined> {
    if (!(await this.listed()).some((s) => s.sn === sn)) return undefined;
    try {
      return new Uint8Array(await readFile(join(this.dir, liveSegmentUri(sn))));
    } catch {
      return undefined; // deleted by ffmpeg since the playlist was read
    }
  }

  /** Kills ffmpeg by PID (SIGTERM, SIGKILL after a grace period), waits for its exit, removes the temp dir. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.pid > 0 && !this.#exited) {
        this.#signal('SIGTERM');
        const force = setTimeout(() => {
          this.#signal('SIGKILL');
        }, KILL_GRACE_MS);
        await this.#exitedPromise;
        clearTimeout(force);
      }
      this.#child.stderr?.destroy();
      await rm(this.dir, { recursive: true, force: true });
    })();
    return this.#closing;
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone: its 'close' event is on the way
    }
  }
}
