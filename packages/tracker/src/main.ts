/**
 * Runs a tracker from the command line:
 *   tsx packages/tracker/src/main.ts [--config FILE] [--host H] [--port N] [--redis-url URL --node-id ID] ...
 *     every scalar option as a flag or a SWARMCAST_TRACKER_* variable (see config-sources.ts and the README)
 *     [--stream URL ... --key FILE]     sign these streams here (key from `swarmcast keygen`)
 *     [--authority-key FILE ...]        public keys of `swarmcast sign` sidecars, announced to players
 *     [--join-token-key FILE ...]       require EdDSA join tokens signed by one of these keys (`swarmcast keygen`)
 *     [--join-token-stream URL ...]     only these streams require a join token (default: every stream)
 * Logs are JSON lines on stdout (pino) at TRACKER_LOG_LEVEL (default info); TRACKER_MONITORING_TOKEN,
 * when set, protects /metrics and /dashboard/data.json.
 * Flags win over variables, variables over the config file (TRACKER_HOST / TRACKER_PORT still work). The sidecars' secret comes
 * from TRACKER_AUTHORITY_SECRET only, so it does not show in `ps`; without it /authority is refused.
 * Likewise TRACKER_JOIN_TOKEN_SECRET, when set, requires HS256 join tokens signed with it.
 */
import { parseArgs } from 'node:util';
import { readPublicKeyFile, readSigningKeyFile, swarmIdFromUrl } from '@swarmcast/integrity';
import type { TrackerConfig } from './config.js';
import { CONFIG_FILE_ENV, configFlagOptions, mergeConfigSources, readConfigFile } from './config-sources.js';
import { stdoutLogger } from './observability/logger.js';
import { startTracker } from './tracker-server.js';

const logger = stdoutLogger(process.env['TRACKER_LOG_LEVEL'] ?? 'info');

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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...configFlagOptions(),
      config: { type: 'string' },
      stream: { type: 'string', multiple: true },
      key: { type: 'string' },
      'authority-key': { type: 'string', multiple: true },
      'join-token-key': { type: 'string', multiple: true },
      'join-token-stream': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const authorityKeys = values['authority-key'] ?? [];
  const configFile = values.config ?? process.env[CONFIG_FILE_ENV];
  const flags = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const config = mergeConfigSources(configFile === undefined ? undefined : await readConfigFile(configFile), process.env, flags);
  // The options below come from their own flags and variables; unset, they leave the file's value.
  const integrity = await integrityOptions(values.stream ?? [], values.key);
  if (integrity !== undefined) config.integrity = integrity;
  const authoritySecret = process.env['TRACKER_AUTHORITY_SECRET'];
  if (authoritySecret !== undefined) config.authoritySecret = authoritySecret;
  if (authorityKeys.length > 0) config.authorityPublicKeys = await Promise.all(authorityKeys.map(readPublicKeyFile));
  const joinTokens = await joinTokenOptions(values['join-token-key'] ?? [], values['join-token-stream'] ?? [], process.env['TRACKER_JOIN_TOKEN_SECRET']);
  if (joinTokens !== undefined) config.joinTokens = joinTokens;
  const monitoringToken = process.env['TRACKER_MONITORING_TOKEN'];
  if (monitoringToken !== undefined) config.monitoringToken = monitoringToken;
  config.logger = logger;
  const tracker = await startTracker(config);
  const node = tracker.stats().cluster?.nodeId;
  // One human-readable line (scripts and tests wait for it), besides the tracker's own 'tracker listening'.
  logger.info(`swarmcast tracker listening on ${tracker.url} (stats: ${tracker.httpUrl}/stats)${node === undefined ? '' : ` as cluster node ${node}`}`);
  let stopping = false;
  // SIGTERM/SIGINT: stop accepting, tell peers to reconnect elsewhere, drain, leave Redis; a second signal exits at once.
  const stop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    tracker.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, error instanceof Error ? error.message : String(error));
  process.exit(1);
});
