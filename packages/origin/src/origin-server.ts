import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveOriginConfig, type LiveSourceKind, type OriginConfig } from './config.js';
import { OriginError } from './errors.js';
import { findExecutable } from './find-executable.js';
import { loadFormatsCatalog } from './formats/format-catalog.js';
import { ensureFormatsGenerated } from './formats/format-generate.js';
import { FormatsSource } from './formats/formats-source.js';
import { originFormats, type OriginFormats } from './formats/origin-formats.js';
import { FfmpegLiveSource } from './live-ffmpeg.js';
import { LoopLiveSource } from './live-loop.js';
import type { LiveSource } from './live-source.js';
import { loadLoopAssets } from './loop-assets.js';
import { handleRequest, type HandlerContext } from './request-handler.js';
import { StatsCounter, type OriginStats } from './stats.js';
import { VodAsset } from './vod.js';

/** Idle keep-alive connections are closed after this, ms (as common load balancers do: 60 s and more). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** A running origin. */
export interface OriginServer {
  /** 'http://HOST:PORT'. */
  readonly url: string;
  /** `${url}/live/master.m3u8` */
  readonly liveMasterUrl: string;
  /** `${url}/vod/master.m3u8` */
  readonly vodMasterUrl: string;
  /** The formats catalog (config `formats: true`), else undefined. */
  readonly formats: OriginFormats | undefined;
  /** The live source actually running ('auto' resolved). */
  readonly liveSource: LiveSourceKind;
  /**
   * Exact bytes the origin serves for live media sequence `sn` / VOD index `sn` (for byte-identity
   * checks); undefined if not (or no longer) available. A copy: mutating it changes nothing.
   */
  segmentBytes(kind: 'live' | 'vod', sn: number): Promise<Uint8Array | undefined>;
  /** Counters since start or the last resetStats(). */
  stats(): OriginStats;
  resetStats(): void;
  /** Idempotent: closes the server and its open sockets, stops the live source (ffmpeg: killed by PID, awaited), removes temp dirs. */
  close(): Promise<void>;
}

async function chooseLiveSource(choice: OriginConfig['liveSource']): Promise<{ kind: LiveSourceKind; ffmpegPath?: string }> {
  if (choice === 'loop') return { kind: 'loop' };
  const ffmpegPath = await findExecutable('ffmpeg');
  if (ffmpegPath !== undefined) return { kind: 'ffmpeg', ffmpegPath };
  if (choice === 'ffmpeg') throw new OriginError('ORIGIN_FFMPEG_NOT_FOUND', "liveSource 'ffmpeg' needs ffmpeg on PATH");
  return { kind: 'loop' };
}

async function checkStaticDir(dir: string | undefined): Promise<void> {
  if (dir === undefined) return;
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory() !== true) throw new OriginError('ORIGIN_INVALID_CONFIG', `Invalid config: staticDir ${dir} is not a directory`);
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (error) => {
        console.error('swarmcast:origin server error:', error);
      });
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections(); // keep-alive and in-flight sockets too
  });
}

/** Starts an origin; with liveSource 'ffmpeg' it resolves once ffmpeg's playlist lists 3 segments. */
export async function startOrigin(config: Partial<OriginConfig> = {}): Promise<OriginServer> {
  const c = resolveOriginConfig(config);
  await checkStaticDir(c.staticDir);
  const assets = await loadLoopAssets();
  // Before the live source starts: generation may take a while, and may fail (no ffmpeg).
  const formats = c.formats ? new FormatsSource(await loadFormatsCatalog(await ensureFormatsGenerated(c.formatsCacheDir, (line) => { console.error(`swarmcast:origin ${line}`); })), c.liveWindowSegments) : undefined;
  const choice = await chooseLiveSource(c.liveSource);
  const live: LiveSource =
    choice.ffmpegPath === undefined
      ? new LoopLiveSource(assets, c)
      : await FfmpegLiveSource.start({ ffmpegPath: choice.ffmpegPath, liveWindowSegments: c.liveWindowSegments });
  const stats = new StatsCounter();
  const ctx: HandlerContext = { live, vod: new VodAsset(assets, c), vodVariant: assets.variant, stats, staticDir: c.staticDir, formats };
  const server = createServer((req, res) => {
    void handleRequest(req, res, ctx);
  });
  // Node's default (5 s) closes an idle connection while a client whose event loop was held a
  // second or more still counts it as open: its next request on it fails (undici: "other side
  // closed"), a playlist or fallback lost. Clients learn the longer timeout from Keep-Alive.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  let address: AddressInfo;
  try {
    address = await listen(server, c.host, c.port);
  } catch (error) {
    await live.close();
    throw error;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    liveMasterUrl: `${url}/live/master.m3u8`,
    vodMasterUrl: `${url}/vod/master.m3u8`,
    liveSource: live.kind,
    formats: formats === undefined ? undefined : originFormats(url, formats),
    async segmentBytes(kind, sn) {
      const bytes = kind === 'live' ? await live.segment(sn) : ctx.vod.segment(sn);
      return bytes === undefined ? undefined : bytes.slice();
    },
    stats: () => stats.snapshot(),
    resetStats: () => {
      stats.reset();
    },
    close() {
      closing ??= Promise.all([closeServer(server), live.close()]).then(() => undefined);
      return closing;
    },
  };
}
