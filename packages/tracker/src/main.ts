/**
 * Runs a tracker from the command line:
 *   tsx packages/tracker/src/main.ts [--host H] [--port N]
 *     [--stream URL ... --key FILE]     sign these streams here (key from `swarmcast keygen`)
 *     [--authority-key FILE ...]        public keys of `swarmcast sign` sidecars, announced to players
 * Flags win over the TRACKER_HOST / TRACKER_PORT environment variables. The sidecars' secret comes
 * from TRACKER_AUTHORITY_SECRET only, so it does not show in `ps`; without it /authority is refused.
 */
import { parseArgs } from 'node:util';
import { readPublicKeyFile, readSigningKeyFile } from '@swarmcast/integrity';
import type { TrackerConfig } from './config.js';
import { startTracker } from './tracker-server.js';

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // NaN for anything but digits, so the config check reports the bad value.
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

async function integrityOptions(streams: string[], keyFile: string | undefined): Promise<TrackerConfig['integrity']> {
  if (streams.length === 0 && keyFile === undefined) return undefined;
  if (keyFile === undefined) throw new Error('--stream needs --key FILE (from swarmcast keygen)');
  return { signingKeyPkcs8: await readSigningKeyFile(keyFile), streams };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      stream: { type: 'string', multiple: true },
      key: { type: 'string' },
      'authority-key': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const authorityKeys = values['authority-key'] ?? [];
  const tracker = await startTracker({
    host: values.host ?? process.env['TRACKER_HOST'],
    port: parsePort(values.port ?? process.env['TRACKER_PORT']),
    integrity: await integrityOptions(values.stream ?? [], values.key),
    authoritySecret: process.env['TRACKER_AUTHORITY_SECRET'],
    authorityPublicKeys: authorityKeys.length === 0 ? undefined : await Promise.all(authorityKeys.map(readPublicKeyFile)),
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
