/**
 * Runs a tracker from the command line: `tsx packages/tracker/src/main.ts [--host H] [--port N]`.
 * Flags win over the TRACKER_HOST / TRACKER_PORT environment variables; the rest are defaults.
 */
import { parseArgs } from 'node:util';
import { startTracker } from './tracker-server.js';

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // NaN for anything but digits, so the config check reports the bad value.
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { host: { type: 'string' }, port: { type: 'string' } },
    strict: true,
  });
  const tracker = await startTracker({
    host: values.host ?? process.env['TRACKER_HOST'],
    port: parsePort(values.port ?? process.env['TRACKER_PORT']),
  });
  console.log(`swarmcast tracker listening on ${tracker.url} (stats: ${tracker.httpUrl}/stats)`);
  const stop = (): void => {
    tracker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('swarmcast tracker: error while closing:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
