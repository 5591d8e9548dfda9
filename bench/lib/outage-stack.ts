/**
 * The servers of a tracker-outage run: the demo origin in this process and the tracker (with the
 * integrity authority) in its own process, so it can be killed for real (SIGKILL: no goodbye to
 * peers) and started again on the same port with the same signing key.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey } from '@swarmcast/integrity';
import { startOrigin } from '@swarmcast/origin';
import { startTrackerProcess } from '../../packages/tracker/test/tracker-process.js';
import type { TrackerProcess } from '../../packages/tracker/test/tracker-process.js';
import { WEB_PUBLIC_DIR } from '../../test/e2e/harness/stack.js';
import type { Origin } from '../../test/e2e/harness/stack.js';

export interface OutageStack {
  readonly origin: Origin;
  /** The tracker's WebSocket URL (the same after a restart). */
  readonly trackerUrl: string;
  /** PID of the tracker process now (undefined while it is down). */
  readonly trackerPid: number | undefined;
  /** SIGKILLs the tracker and waits for its exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves once it listens. */
  restart(): Promise<void>;
  /** Stops the tracker (if up) and the origin, removes the key file; idempotent. */
  close(): Promise<void>;
}

export async function startOutageStack(): Promise<OutageStack> {
  const origin = await startOrigin({ port: 0, liveSource: 'loop', staticDir: WEB_PUBLIC_DIR });
  const dir = await mkdtemp(join(tmpdir(), 'swarmcast-outage-'));
  const keyFile = join(dir, 'key.json');
  let tracker: TrackerProcess | undefined;
  try {
    await writeFile(keyFile, JSON.stringify({ privateKeyPkcs8: generateSigningKey().privateKeyPkcs8 }), { mode: 0o600 });
    const start = (port: number): Promise<TrackerProcess> =>
      startTrackerProcess(['--host', '127.0.0.1', '--port', String(port), '--stream', origin.liveMasterUrl, '--key', keyFile]);
    tracker = await start(0);
    const trackerUrl = tracker.url;
    const port = Number(new URL(trackerUrl).port);
    let closed: Promise<void> | undefined;
    return {
      origin,
      trackerUrl,
      get trackerPid() {
        return tracker?.pid;
      },
      async kill() {
        const t = tracker;
        tracker = undefined;
        await t?.stop('SIGKILL');
      },
      async restart() {
        if (tracker) throw new Error('outage stack: the tracker is already running');
        tracker = await start(port);
      },
      close() {
        closed ??= (async () => {
          try {
            await tracker?.stop('SIGTERM');
          } finally {
            tracker = undefined;
            await origin.close();
            await rm(dir, { recursive: true, force: true });
          }
        })();
        return closed;
      },
    };
  } catch (error) {
    await tracker?.stop('SIGKILL');
    await origin.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
