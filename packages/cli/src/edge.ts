/**
 * `swarmcast edge`: runs an edge peer for a live stream until SIGINT/SIGTERM, with a one-line
 * status every few seconds, and optionally its stats as JSON in a file (rewritten with each status
 * line and at the stop) for scripts and benchmarks.
 */
import { rename, writeFile } from 'node:fs/promises';
import { EdgePeer, startFreezeWatchdog } from '@swarmcast/node';

/** Seconds between status lines, unless --status-every-s says otherwise. */
const STATUS_INTERVAL_SEC = 5;
/**
 * A main thread silent this long ends the process for its supervisor to restart, unless
 * --freeze-exit-s says otherwise (0: never); see @swarmcast/node freeze-watchdog.ts for why.
 */
const FREEZE_EXIT_SEC = 10;

function positive(options: Map<string, string>, name: string): number | undefined {
  const raw = options.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a number > 0, got "${raw}"`);
  return value;
}

export async function runEdge(options: Map<string, string>, lists: Map<string, string[]>): Promise<void> {
  const streamUrl = options.get('stream');
  const trackerUrl = options.get('tracker');
  if (streamUrl === undefined || trackerUrl === undefined) throw new Error('edge needs --stream MASTER_URL and --tracker ws://TRACKER');
  const uploadKbps = positive(options, 'upload-kbps');
  const storeMib = positive(options, 'store-mib');
  const uploadCapKbps = positive(options, 'upload-cap-kbps');
  const group = options.get('group');
  const bindAddress = options.get('bind-address');
  const renditions = lists.get('rendition');
  const statsFile = options.get('stats-file');
  const statusEverySec = positive(options, 'status-every-s') ?? STATUS_INTERVAL_SEC;
  const freezeExitSec = options.get('freeze-exit-s') === '0' ? 0 : (positive(options, 'freeze-exit-s') ?? FREEZE_EXIT_SEC);
  const edge = new EdgePeer({
    streamUrl,
    trackerUrl,
    ...(uploadKbps === undefined ? {} : { uploadKbps }),
    ...(storeMib === undefined ? {} : { storeBudgetBytes: Math.round(storeMib * 1024 * 1024) }),
    ...(uploadCapKbps === undefined ? {} : { uploadCapBytesPerSec: Math.round((uploadCapKbps * 1000) / 8) }),
    ...(group === undefined ? {} : { group }),
    ...(renditions === undefined ? {} : { renditions }),
    rtc: bindAddress === undefined ? {} : { bindAddress },
  });
  edge.on('error', (e) => {
    process.stderr.write(`edge: ${e.error instanceof Error ? e.error.message : String(e.error)}\n`);
  });
  const watchdog = freezeExitSec > 0 ? startFreezeWatchdog({ freezeMs: freezeExitSec * 1000, label: 'swarmcast edge' }) : undefined;
  edge.start();
  process.stdout.write(`swarmcast edge: swarm ${edge.swarmId}, tracker ${trackerUrl}${group === undefined ? '' : `, group ${group}`}\n`);
  // One write at a time: the final one (at the stop) must not race a status tick's.
  let writing: Promise<void> = Promise.resolve();
  const saveStats = (): Promise<void> => {
    if (statsFile === undefined) return writing;
    const json = `${JSON.stringify({ peerId: edge.peerId ?? null, ...edge.stats() })}\n`;
    writing = writing.then(() => writeAtomically(statsFile, json)).catch((error: unknown) => {
      process.stderr.write(`edge: writing ${statsFile}: ${error instanceof Error ? error.message : String(error)}\n`);
    });
    return writing;
  };
  const status = setInterval(() => {
    const s = edge.stats();
    process.stdout.write(
      `peers=${s.engine.peers} up=${mib(s.engine.uploadedBytes)} MiB cdn=${mib(s.engine.httpBytes)} MiB segments=${s.segments} renditions=${s.renditions} id=${edge.peerId ?? '-'}\n`,
    );
    void saveStats();
  }, statusEverySec * 1000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(status);
  await saveStats();
  await edge.close();
  watchdog?.stop();
  process.stdout.write('swarmcast edge: stopped\n');
}

/** Readers never see half a file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
