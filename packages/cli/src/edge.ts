/**
 * `swarmcast edge`: runs an edge peer for a live stream until SIGINT/SIGTERM, with a one-line
 * status every few seconds.
 */
import { EdgePeer } from '@swarmcast/node';

/** Seconds between status lines. */
const STATUS_INTERVAL_MS = 5_000;

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
  edge.start();
  process.stdout.write(`swarmcast edge: swarm ${edge.swarmId}, tracker ${trackerUrl}${group === undefined ? '' : `, group ${group}`}\n`);
  const status = setInterval(() => {
    const s = edge.stats();
    process.stdout.write(
      `peers=${s.engine.peers} up=${mib(s.engine.uploadedBytes)} MiB cdn=${mib(s.engine.httpBytes)} MiB segments=${s.segments} renditions=${s.renditions} id=${edge.peerId ?? '-'}\n`,
    );
  }, STATUS_INTERVAL_MS);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(status);
  await edge.close();
  process.stdout.write('swarmcast edge: stopped\n');
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
