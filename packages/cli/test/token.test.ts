/** `swarmcast token`, run as a user runs it; its tokens are checked with the tracker's verifier. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { readPublicKeyFile } from '@swarmcast/integrity';
import { JoinTokenVerifier } from '@swarmcast/tracker';

const MAIN = join(import.meta.dirname, '..', 'src', 'main.ts');
const SECRET = 'cli-test-secret-0123456789-abcdefghij';
const MASTER = 'https://cdn.example/live/master.m3u8';
const { SWARMCAST_JOIN_TOKEN_SECRET: _inherited, ...withoutSecret } = process.env;
const nowSec = (): number => Date.now() / 1000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function swarmcast(args: string[], env: Record<string, string> = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...withoutSecret, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

void test('HS256: a token for the swarm of the master URL (query dropped), with ttl and viewer', async () => {
  const run = await swarmcast(['token', '--stream', `${MASTER}?session=abc#t=1`, '--secret', SECRET, '--ttl', '120', '--viewer', 'alice']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /HS256 join token for swarm https:\/\/cdn\.example\/live\/master\.m3u8 for viewer "alice", valid until /);
  const verifier = new JoinTokenVerifier({ algorithm: 'HS256', secret: SECRET });
  const claims = verifier.verify(run.stdout.trim(), MASTER, nowSec());
  assert.equal(claims.exp - claims.iat, 120);
  assert.equal(claims.vid, 'alice');
  assert.throws(() => verifier.verify(run.stdout.trim(), 'https://cdn.example/other/master.m3u8', nowSec()), { code: 'TOKEN_WRONG_STREAM' });
});

void test('EdDSA: signed with a keygen file, verified with its public key; the secret may come from the environment', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'swarmcast-token-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'key.json');
  assert.equal((await swarmcast(['keygen', '--out', keyFile])).code, 0);
  const run = await swarmcast(['token', '--stream', MASTER, '--key', keyFile]);
  assert.equal(run.code, 0, run.stderr);
  const { publicKey } = await readPublicKeyFile(keyFile);
  const claims = new JoinTokenVerifier({ algorithm: 'EdDSA', publicKeys: [publicKey] }).verify(run.stdout.trim(), MASTER, nowSec());
  assert.equal(claims.exp - claims.iat, 3_600, 'default ttl');

  const fromEnv = await swarmcast(['token', '--stream', MASTER], { SWARMCAST_JOIN_TOKEN_SECRET: SECRET });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  new JoinTokenVerifier({ algorithm: 'HS256', secret: SECRET }).verify(fromEnv.stdout.trim(), MASTER, nowSec());
});

void test('clear errors for missing or bad options', async () => {
  const cases: [string[], RegExp][] = [
    [['token', '--secret', SECRET], /token needs --stream MASTER_PLAYLIST_URL/],
    [['token', '--stream', 'live/master.m3u8', '--secret', SECRET], /--stream must be an absolute http\(s\) URL/],
    [['token', '--stream', MASTER], /token needs --secret S \(or SWARMCAST_JOIN_TOKEN_SECRET\)/],
    [['token', '--stream', MASTER, '--secret', SECRET, '--key', 'k.json'], /not both/],
    [['token', '--stream', MASTER, '--secret', SECRET, '--ttl', '1.5'], /--ttl must be a whole number of seconds/],
    [['token', '--stream', MASTER, '--secret', 'short'], /at least 32 characters/],
  ];
  for (const [args, message] of cases) {
    const run = await swarmcast(args);
    assert.equal(run.code, 1, args.join(' '));
    assert.equal(run.stdout, '');
    assert.match(run.stderr, message);
  }
});
