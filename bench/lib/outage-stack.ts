/**
 * The servers of a tracker-outage run: the demo origin in this process and the tracker in its own
 * process, so it can be killed for real (SIGKILL: no goodbye to peers) and started again on the
 * same port. Segments are signed either by the tracker itself (signer 'tracker': records die with
 * it) or, as a broadcaster who wants P2P through an outage deploys it, by `swarmcast sign` beside
 * the origin (signer 'sidecar', the default): it publishes to the tracker and serves the records
 * over HTTP, the viewers' integrityRecordsUrl.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey } from '@swarmcast/integrity';
import { startOrigin } from '@swarmcast/origin';
import { startTrackerProcess } from '../../packages/tracker/test/tracker-process.js';
import { startSignProcess } from './sign-process.js';
import type { SignProcess } from './sign-process.js';
import type { TrackerProcess } from '../../packages/tracker/test/tracker-process.js';
import { WEB_PUBLIC_DIR } from '../../test/e2e/harness/stack.js';
import type { Origin } from '../../test/e2e/harness/stack.js';

export interface OutageStack {
  readonly origin: Origin;
  /** The tracker's WebSocket URL (the same after a restart). */
  readonly trackerUrl: string;
  /** The sidecar's live records URL (viewers' integrityRecordsUrl); undefined when the tracker signs. */
  readonly recordsUrl: string | undefined;
  /** PID of the tracker process now (undefined while it is down). */
  readonly trackerPid: number | undefined;
  /** SIGKILLs the tracker and waits for its exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves once it listens. */
  restart(): Promise<void>;
  /** Stops the tracker (if up) and the origin, removes the key file; idempotent. */
  close(): Promise<void>;
}

/** Who signs the segments: the tracker (records die with it) or a `swarmcast sign` sidecar. */
export type OutageSigner = 'tracker' | 'sidecar';

export async function startOutageStack(signer: OutageSigner = 'sidecar'): Promise<OutageStack> {
  const origin = await startOrigin({ port: 0, liveSource: 'loop', staticDir: WEB_PUBLIC_DIR });
  const dir = await mkdtemp(join(tmpdir(), 'swarmcast-outage-'));
  const keyFile = join(dir, 'key.json');
  const secret = randomBytes(18).toString('base64url');
  let tracker: TrackerProcess | undefined;
  let sign: SignProcess | undefined;
  try {
    await writeFile(keyFile, JSON.stringify({ privateKeyPkcs8: generateSigningKey().privateKeyPkcs8 }), { mode: 0o600 });
    const start = (port: number): Promise<TrackerProcess> =>
      signer === 'tracker'
        ? startTrackerProcess(['--host', '127.0.0.1', '--port', String(port), '--stream', origin.liveMasterUrl, '--key', keyFile])
        : startTrackerProcess(['--host', '127.0.0.1', '--port', String(port), '--authority-key', keyFile], { TRACKER_AUTHORITY_SECRET: secret });
    tracker = await start(0);
    const trackerUrl = tracker.url;
    const port = Number(new URL(trackerUrl).port);
    if (signer === 'sidecar') {
      sign = await startSignProcess({ streamUrl: origin.liveMasterUrl, keyFile, publishUrl: `ws://127.0.0.1:${port}/authority`, secret });
    }
    const recordsUrl = sign?.recordsUrl;
    let closed: Promise<void> | undefined;
    return {
      origin,
      trackerUrl,
      recordsUrl,
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
            await Promise.all([tracker?.stop('SIGTERM'), sign?.stop()]);
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
    await Promise.all([tracker?.stop('SIGKILL'), sign?.stop()]);
    await origin.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
