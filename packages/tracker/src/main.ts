/**
 * Runs a tracker from the command line:
 *   tsx packages/tracker/src/main.ts [--host H] [--port N]
 *     [--stream URL ... --key FILE]     sign these streams here (key from `swarmcast keygen`)
 *     [--authority-key FILE ...]        public keys of `swarmcast sign` sidecars, announced to players
 *     [--join-token-key FILE ...]       require EdDSA join tokens signed by one of these keys (`swarmcast keygen`)
 *     [--join-token-stream URL ...]     only these streams require a join token (default: every stream)
 * Flags win over the TRACKER_HOST / TRACKER_PORT environment variables. The sidecars' secret comes
 * from TRACKER_AUTHORITY_SECRET only, so it does not show in `ps`; without it /authority is refused.
 * Likewise TRACKER_JOIN_TOKEN_SECRET, when set, requires HS256 join tokens signed with it.
 * Logs are JSON lines on stdout (pino) at TRACKER_LOG_LEVEL (default info); TRACKER_MONITORING_TOKEN,
 * when set, protects /metrics and /dashboard/data.json.
 */
import { parseArgs } from 'node:util';
import { readPublicKeyFile, readSigningKeyFile, swarmIdFromUrl } from '@swarmcast/integrity';
import type { TrackerConfig } from './config.js';
import { stdoutLogger } from './observability/logger.js';
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

async function joinTokenOptions(keyFiles: string[], streams: string[], secret: string | undefined): Promise<TrackerConfig['joinTokens']> {
  if (keyFiles.length > 0 && secret !== undefined) throw new Error('--join-token-key (EdDSA) and TRACKER_JOIN_TOKEN_SECRET (HS256) exclude each other');
  const swarms = streams.length === 0 ? undefined : streams.map(swarmIdFromUrl);
  if (secret !== undefined) return { algorithm: 'HS256', secret, swarms };
  if (keyFiles.length > 0) return { algorithm: 'EdDSA', publicKeys: (await Promise.all(keyFiles.map(readPublicKeyFile))).map((k) => k.publicKey), swarms };
  if (swarms !== undefined) throw new Error('--join-token-stream needs --join-token-key FILE or TRACKER_JOIN_TOKEN_SECRET');
  return undefined;
}

const logger = stdoutLogger(process.env['TRACKER_LOG_LEVEL'] ?? 'info');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      stream: { type: 'string', multiple: true },
      key: { type: 'string' },
      'authority-key': { type: 'string', multiple: true },
      'join-token-key': { type: 'string', multiple: true },
      'join-token-stream': { type: 'string', multiple: true },
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
    joinTokens: await joinTokenOptions(values['join-token-key'] ?? [], values['join-token-stream'] ?? [], process.env['TRACKER_JOIN_TOKEN_SECRET']),
    monitoringToken: process.env['TRACKER_MONITORING_TOKEN'],
    logger,
  });
  const stop = (): void => {
    tracker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : String(error));
  process.exit(1);
});
