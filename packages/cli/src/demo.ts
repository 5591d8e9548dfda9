import { generateSigningKey } from '@swarmcast/integrity';
import { startOrigin, type OriginServer } from '@swarmcast/origin';
import { startTracker, type TrackerServer } from '@swarmcast/tracker';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoOptions {
  host: string;
  originPort: number;
  trackerPort: number;
  liveSource: 'auto' | 'loop' | 'ffmpeg';
}

export interface RunningDemo {
  readonly pageUrl: string;
  readonly origin: OriginServer;
  readonly tracker: TrackerServer;
  close(): Promise<void>;
}

const webRoot = join(import.meta.dirname, '..', '..', 'web', 'public');

/** Origin (live + VOD), tracker with its integrity authority, and the player page, on embedded defaults. */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  if (!existsSync(join(webRoot, 'build', 'main.js'))) {
    throw new Error('the player bundle is missing: run `npm run build:web` first (npm run demo does it)');
  }
  const origin = await startOrigin({ host: options.host, port: options.originPort, liveSource: options.liveSource, staticDir: webRoot });
  let tracker: TrackerServer;
  try {
    // A fresh signing key per run: the tracker signs every segment it sees at the origin and
    // announces the public key, so viewers verify whatever their peers send them.
    const signingKeyPkcs8 = generateSigningKey().privateKeyPkcs8;
    tracker = await startTracker({
      host: options.host,
      port: options.trackerPort,
      integrity: { signingKeyPkcs8, streams: [origin.liveMasterUrl, origin.vodMasterUrl] },
    });
  } catch (error) {
    await origin.close();
    throw error;
  }
  const pageUrl = `${origin.url}/?tracker=${encodeURIComponent(tracker.url)}`;
  return {
    pageUrl,
    origin,
    tracker,
    close: async () => {
      await Promise.all([origin.close(), tracker.close()]);
    },
  };
}
