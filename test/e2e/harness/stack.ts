/**
 * The server side of a run: the demo origin (serving the viewer page from packages/web/public and
 * the live/VOD streams) and the tracker, both on port 0 on loopback.
 */
import { join } from 'node:path';
import { generateSigningKey } from '@swarmcast/integrity';
import { startOrigin } from '@swarmcast/origin';
import { startTracker } from '@swarmcast/tracker';
import type { TrackerConfig } from '@swarmcast/tracker';
import { closeAll } from './close-all.js';

/** The viewer page's static files, served by the origin at /. */
export const WEB_PUBLIC_DIR = join(import.meta.dirname, '..', '..', '..', 'packages', 'web', 'public');

export type Origin = Awaited<ReturnType<typeof startOrigin>>;
export type Tracker = Awaited<ReturnType<typeof startTracker>>;
export type LiveSource = 'loop' | 'ffmpeg' | 'auto';

export interface StackOptions {
  /** Where the live stream comes from; 'loop' (default) is deterministic and cheap. */
  readonly liveSource?: LiveSource;
  /** More tracker settings (e.g. `turn`), over the stack's own. */
  readonly tracker?: Partial<TrackerConfig>;
  /** Length of the VOD asset in 20 s loops (the origin's `vodLoops`). @default the origin's */
  readonly vodLoops?: number;
  /** Address both servers listen on (and put in their URLs). @default '127.0.0.1' */
  readonly host?: string;
}

export interface Stack {
  readonly origin: Origin;
  readonly tracker: Tracker;
  /** Closes the tracker and the origin; idempotent. */
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const origin = await startOrigin({ port: 0, ...(options.host === undefined ? {} : { host: options.host }), liveSource: options.liveSource ?? 'loop', vodLoops: options.vodLoops, staticDir: WEB_PUBLIC_DIR });
  let tracker: Tracker;
  try {
    // The tracker is the integrity authority: it signs every live and VOD segment, so viewers
    // (integrity required by default) can verify what peers send them.
    const signingKeyPkcs8 = generateSigningKey().privateKeyPkcs8;
    tracker = await startTracker({ port: 0, ...(options.host === undefined ? {} : { host: options.host }), integrity: { signingKeyPkcs8, streams: [origin.liveMasterUrl, origin.vodMasterUrl] }, ...options.tracker });
  } catch (error) {
    await origin.close();
    throw error;
  }
  let closed: Promise<void> | null = null;
  return {
    origin,
    tracker,
    close(): Promise<void> {
      closed ??= closeAll([() => tracker.close(), () => origin.close()]);
      return closed;
    },
  };
}
