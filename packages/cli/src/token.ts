import { readSigningKeyFile, swarmIdFromUrl } from '@swarmcast/integrity';
import { issueJoinToken } from '@swarmcast/tracker';
import type { JoinTokenSigningKey } from '@swarmcast/tracker';

/** Where the HS256 secret may come from instead of --secret, which other local users can read in `ps`. */
const SECRET_ENV = 'SWARMCAST_JOIN_TOKEN_SECRET';
const DEFAULT_TTL_SEC = 3_600; // 1 h
const MAX_TTL_SEC = 366 * 86_400; // the tracker's maxTtlSec cannot be higher

function value(options: Map<string, string>, name: string, what: string): string | undefined {
  const given = options.get(name);
  if (given === 'true') throw new Error(`--${name} needs ${what}`);
  return given;
}

async function signingKey(options: Map<string, string>): Promise<JoinTokenSigningKey> {
  const secretFlag = value(options, 'secret', "the tracker's joinTokens.secret");
  const keyFile = value(options, 'key', 'a key FILE from swarmcast keygen');
  if (secretFlag !== undefined && keyFile !== undefined) throw new Error('give --secret (HS256) or --key (EdDSA), not both');
  if (keyFile !== undefined) return { algorithm: 'EdDSA', privateKeyPkcs8: await readSigningKeyFile(keyFile) };
  const fromEnv = process.env[SECRET_ENV];
  const secret = secretFlag ?? (fromEnv === '' ? undefined : fromEnv);
  if (secret === undefined) throw new Error(`token needs --secret S (or ${SECRET_ENV}) for HS256, or --key FILE for EdDSA`);
  return { algorithm: 'HS256', secret };
}

function ttlSec(options: Map<string, string>): number {
  const raw = value(options, 'ttl', 'a number of seconds');
  if (raw === undefined) return DEFAULT_TTL_SEC;
  const ttl = Number(raw);
  if (!/^\d+$/.test(raw) || ttl < 1 || ttl > MAX_TTL_SEC) throw new Error(`--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SEC}, got "${raw}"`);
  return ttl;
}

/**
 * `swarmcast token --stream MASTER_URL (--secret S | --key FILE) [--ttl 3600] [--viewer ID]`: prints a
 * join token for the stream's swarm (the URL without query or fragment, as players compute it) on
 * stdout, and what it admits to on stderr.
 */
export async function runToken(options: Map<string, string>): Promise<void> {
  const stream = value(options, 'stream', 'the master playlist URL');
  if (stream === undefined) throw new Error('token needs --stream MASTER_PLAYLIST_URL (the URL players load)');
  if (!URL.canParse(stream) || !/^https?:$/.test(new URL(stream).protocol)) throw new Error(`--stream must be an absolute http(s) URL, got "${stream}"`);
  const key = await signingKey(options);
  const viewerId = value(options, 'viewer', 'a viewer ID');
  const swarm = swarmIdFromUrl(stream);
  const nowSec = Math.floor(Date.now() / 1000);
  const ttl = ttlSec(options);
  const token = issueJoinToken(key, { swarm, ttlSec: ttl, nowSec, ...(viewerId === undefined ? {} : { viewerId }) });
  process.stdout.write(`${token}\n`);
  const viewer = viewerId === undefined ? '' : ` for viewer ${JSON.stringify(viewerId)}`;
  process.stderr.write(`${key.algorithm} join token for swarm ${swarm}${viewer}, valid until ${new Date((nowSec + ttl) * 1000).toISOString()}\n`);
}
