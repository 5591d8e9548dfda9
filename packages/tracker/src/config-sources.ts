/**
 * The tracker's settings from the outside world: a JSON config file, environment variables and
 * command-line flags, merged flags > env > file > defaults (resolveTrackerConfig fills in and checks
 * the rest). Every scalar setting has a flag `--max-connections` and a variable
 * `SWARMCAST_TRACKER_MAX_CONNECTIONS`; nested and secret settings (integrity, turn, joinTokens ...)
 * come from the file or their own flags in main.ts.
 */
import { readFile } from 'node:fs/promises';
import type { TrackerConfig } from './config.js';
import type { ClusterOptions } from './cluster/cluster-config.js';

type ScalarType = 'int' | 'number' | 'string';

interface ScalarSetting {
  /** Flag name without the dashes; the variable is SWARMCAST_TRACKER_ + its upper snake case. */
  readonly flag: string;
  readonly type: ScalarType;
  /** A top-level key, or a key of `cluster`. */
  readonly key: { top: keyof TrackerConfig } | { cluster: keyof ClusterOptions };
  /** An older variable still read, below the new one. */
  readonly legacyEnv?: string;
}

/** Every setting that flags and variables can give. */
export const SCALAR_SETTINGS: readonly ScalarSetting[] = [
  { flag: 'host', type: 'string', key: { top: 'host' }, legacyEnv: 'TRACKER_HOST' },
  { flag: 'port', type: 'int', key: { top: 'port' }, legacyEnv: 'TRACKER_PORT' },
  { flag: 'heartbeat-interval-ms', type: 'int', key: { top: 'heartbeatIntervalMs' } },
  { flag: 'heartbeat-timeout-ms', type: 'int', key: { top: 'heartbeatTimeoutMs' } },
  { flag: 'max-peers-in-list', type: 'int', key: { top: 'maxPeersInList' } },
  { flag: 'max-swarms-per-connection', type: 'int', key: { top: 'maxSwarmsPerConnection' } },
  { flag: 'rate-limit-messages-per-sec', type: 'number', key: { top: 'rateLimitMessagesPerSec' } },
  { flag: 'rate-limit-burst', type: 'int', key: { top: 'rateLimitBurst' } },
  { flag: 'max-connections', type: 'int', key: { top: 'maxConnections' } },
  { flag: 'max-connections-per-ip', type: 'int', key: { top: 'maxConnectionsPerIp' } },
  { flag: 'max-records-on-join', type: 'int', key: { top: 'maxRecordsOnJoin' } },
  { flag: 'websocket-layer', type: 'string', key: { top: 'webSocketLayer' } },
  { flag: 'redis-url', type: 'string', key: { cluster: 'redisUrl' } },
  { flag: 'node-id', type: 'string', key: { cluster: 'nodeId' } },
  { flag: 'cluster-member-ttl-ms', type: 'int', key: { cluster: 'memberTtlMs' } },
  { flag: 'cluster-heartbeat-ms', type: 'int', key: { cluster: 'nodeHeartbeatMs' } },
  { flag: 'cluster-key-prefix', type: 'string', key: { cluster: 'keyPrefix' } },
];

/** The variable that carries a setting, e.g. SWARMCAST_TRACKER_REDIS_URL. */
export function envName(flag: string): string {
  return `SWARMCAST_TRACKER_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** The variable naming a config file when --config is not given. */
export const CONFIG_FILE_ENV = 'SWARMCAST_TRACKER_CONFIG';

/** node:util parseArgs options for every scalar setting (add --config yourself). */
export function configFlagOptions(): Record<string, { type: 'string' }> {
  const options: Record<string, { type: 'string' }> = {};
  for (const s of SCALAR_SETTINGS) options[s.flag] = { type: 'string' };
  return options;
}

/** Reads a JSON config file: an object with TrackerConfig's keys. Throws a clear Error otherwise. */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new Error(`Invalid tracker config: cannot read config file ${path}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new Error(`Invalid tracker config: config file ${path} is not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Invalid tracker config: config file ${path} must hold a JSON object of tracker options`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * file < env < flags: flag and variable values are parsed by their setting's type (a bad one is
 * reported with where it came from); `cluster` is merged key by key. The result still goes through
 * resolveTrackerConfig, which reports unknown keys and values out of range.
 */
export function mergeConfigSources(
  file: Record<string, unknown> | undefined,
  env: Readonly<Record<string, string | undefined>>,
  flags: Readonly<Record<string, string | undefined>>,
): Partial<TrackerConfig> {
  const merged: Record<string, unknown> = { ...file };
  const problems: string[] = [];
  const layers: [string, (s: ScalarSetting) => string | undefined][] = [
    ['env', (s) => env[envName(s.flag)] ?? (s.legacyEnv === undefined ? undefined : env[s.legacyEnv])],
    ['flag', (s) => flags[s.flag]],
  ];
  for (const [layer, read] of layers) {
    for (const setting of SCALAR_SETTINGS) {
      const text = read(setting);
      if (text === undefined) continue;
      const where = layer === 'flag' ? `--${setting.flag}` : envName(setting.flag);
      const value = parseScalar(text, setting.type);
      if (value === undefined) {
        problems.push(`${where} must be ${setting.type === 'string' ? 'a non-empty string' : `a${setting.type === 'int' ? 'n integer' : ' number'}`}, got ${JSON.stringify(text)}`);
        continue;
      }
      if ('top' in setting.key) merged[setting.key.top] = value;
      else {
        const cluster = merged['cluster'];
        merged['cluster'] = { ...(typeof cluster === 'object' && cluster !== null ? cluster : {}), [setting.key.cluster]: value };
      }
    }
  }
  if (problems.length > 0) throw new Error(`Invalid tracker config: ${problems.join('; ')}`);
  return merged;
}

function parseScalar(text: string, type: ScalarType): string | number | undefined {
  if (type === 'string') return text === '' ? undefined : text;
  const trimmed = text.trim();
  const ok = type === 'int' ? /^-?\d+$/.test(trimmed) : /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed);
  return ok ? Number(trimmed) : undefined;
}
