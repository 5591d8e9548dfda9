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

/** Origin (live + VOD), tracker and the player page, on embedded defaults. */
export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  if (!existsSync(join(webRoot, 'build', 'main.js'))) {
    throw new Error('the player bundle is missing: run `npm run build:web` first (npm run demo does it)');
  }
  const tracker = await startTracker({ host: options.host, port: options.trackerPort });
  let origin: OriginServer;
  try {
    origin = await startOrigin({ host: options.host, port: options.originPort, liveSource: options.liveSource, staticDir: webRoot });
  } catch (error) {
    await tracker.close();
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
