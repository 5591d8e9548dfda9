/**
 * Runs an origin until SIGINT/SIGTERM:
 *   npx tsx packages/origin/src/main.ts [--port 8080] [--host 127.0.0.1] [--live-source auto|loop|ffmpeg]
 *     [--live-window 6] [--vod-loops 4] [--static-dir DIR] [--formats] [--formats-cache-dir DIR]
 */
import { parseArgs } from 'node:util';
import type { OriginConfig } from './config.js';
import { startOrigin } from './origin-server.js';

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a non-negative integer, got ${value}`);
  return Number(value);
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'live-source': { type: 'string' },
    'live-window': { type: 'string' },
    'vod-loops': { type: 'string' },
    'static-dir': { type: 'string' },
    formats: { type: 'boolean', default: false },
    'formats-cache-dir': { type: 'string' },
  },
  strict: true,
});

const config: Partial<OriginConfig> = {
  host: values.host,
  port: integer('port', values.port),
  liveSource: values['live-source'] as OriginConfig['liveSource'] | undefined, // checked by resolveOriginConfig
  liveWindowSegments: integer('live-window', values['live-window']),
  vodLoops: integer('vod-loops', values['vod-loops']),
  staticDir: values['static-dir'],
  formats: values.formats,
  formatsCacheDir: values['formats-cache-dir'],
};

const origin = await startOrigin(config);
console.log(`origin ${origin.url} (live source: ${origin.liveSource})`);
console.log(`  live: ${origin.liveMasterUrl}`);
console.log(`  vod:  ${origin.vodMasterUrl}`);
if (origin.formats !== undefined) console.log(`  formats: ${origin.formats.masterUrl('ts-abr', 'vod')} (and /formats/<type>/<live|vod>/master.m3u8)`);
console.log(`  stats: ${origin.url}/stats`);

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing`);
  origin.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
