/**
 * Join tokens on a real tracker (port 0) with real ws clients: good tokens join; every kind of bad
 * token is refused with its code and a close (1008), while good members of the swarm carry on.
 */
import assert from 'node:assert/strict';
import { createHmac, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { generateSigningKey, loadSigningKey } from '@swarmcast/integrity';
import type { GeneratedSigningKey } from '@swarmcast/integrity';
import { LIMITS } from '@swarmcast/protocol';
import { JoinTokenVerifier, TrackerError, issueJoinToken, resolveTrackerConfig, startTracker } from '../src/index.js';
import type { JoinTokensOptions, TrackerConfig, TrackerServer } from '../src/index.js';
import { OFFER, connect } from './test-client.js';
import type { TestClient } from './test-client.js';

const SECRET = 'test-secret-0123456789-abcdefghijklmnop';
const STREAM = 'https://cdn.example/live/master.m3u8';
const OTHER = 'https://cdn.example/other/master.m3u8';
const HS256: JoinTokensOptions = { algorithm: 'HS256', secret: SECRET, maxTtlSec: 3_600 };

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

type Signer = (signingInput: string) => Buffer;
const hmacWith =
  (secret: string): Signer =>
  (input) =>
    createHmac('sha256', secret).update(input).digest();
const ed25519With =
  (key: GeneratedSigningKey): Signer =>
  (input) =>
    sign(null, Buffer.from(input), loadSigningKey(key.privateKeyPkcs8).privateKey);

/** Any header and payload, signed by `signer`: for forged, altered and malformed tokens. */
function craft(header: unknown, payload: unknown, signer: Signer = hmacWith(SECRET)): string {
  const input = `${b64json(header)}.${b64json(payload)}`;
  return `${input}.${signer(input).toString('base64url')}`;
}

/** Claims of a token valid now for STREAM, with overrides. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowSec();
  return { sub: STREAM, iat, exp: iat + 600, ...overrides };
}

const goodToken = (swarm = STREAM): string => issueJoinToken({ algorithm: 'HS256', secret: SECRET }, { swarm, ttlSec: 600 });

async function start(t: TestContext, joinTokens: JoinTokensOptions, config: Partial<TrackerConfig> = {}): Promise<TrackerServer> {
  const tracker = await startTracker({ port: 0, joinTokens, ...config });
  t.after(() => tracker.close());
  return tracker;
}

function sendJoin(client: TestClient, swarm: string, token: string | undefined): void {
  client.send({ type: 'join', protocol: 1, swarm, uploadKbps: 0, ...(token === undefined ? {} : { token }) });
}

/** Connects and joins with `token`; returns the client once joined. */
async function joinWith(t: TestContext, url: string, swarm: string, token: string | undefined): Promise<TestClient> {
  const client = await connect(t, url);
  sendJoin(client, swarm, token);
  const reply = await client.next();
  assert.equal(reply.type, 'joined', `expected joined, got ${JSON.stringify(reply)}`);
  return client;
}

/** The client is told `code` with a human message, then closed with 1008; returns the message. */
async function expectRefused(client: TestClient, code: string): Promise<string> {
  const error = await client.expect('error');
  assert.equal(error.code, code, error.message);
  assert.ok(error.message.length > 15, `a human message, got ${JSON.stringify(error.message)}`);
  assert.deepEqual(await client.closed, { code: 1008, reason: code });
  return error.message;
}

/** Two members of STREAM still ping, see each other and relay signals. */
async function assertGoodPairWorks(a: TestClient, b: TestClient): Promise<void> {
  await a.roundTrip();
  a.send({ type: 'peers', swarm: STREAM });
  assert.deepEqual((await a.expect('peers')).peers, [b.peerId]);
  a.send({ type: 'signal', swarm: STREAM, to: b.peerId, data: OFFER });
  assert.equal((await b.expect('signal')).from, a.peerId);
}

void describe('join tokens: accepted', () => {
  void test('an HS256 token for the stream joins; the claims vid and jti are allowed', async (t) => {
    const tracker = await start(t, HS256);
    await joinWith(t, tracker.url, STREAM, goodToken());
    const withIds = issueJoinToken({ algorithm: 'HS256', secret: SECRET }, { swarm: STREAM, ttlSec: 3_600, viewerId: 'viewer-42', jti: 'abc' });
    await joinWith(t, tracker.url, STREAM, withIds);
    assert.deepEqual(tracker.stats().swarmsDetail, { [STREAM]: { peers: 2 } });
    assert.deepEqual(tracker.stats().rejects, {});
  });

  void test('EdDSA: a token signed by either of two configured keys joins (rotation); a third key is refused', async (t) => {
    const [oldKey, newKey, strayKey] = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
    const tracker = await start(t, { algorithm: 'EdDSA', publicKeys: [oldKey.publicKey, newKey.publicKey] });
    for (const key of [oldKey, newKey]) {
      await joinWith(t, tracker.url, STREAM, issueJoinToken({ algorithm: 'EdDSA', privateKeyPkcs8: key.privateKeyPkcs8 }, { swarm: STREAM, ttlSec: 600 }));
    }
    const stray = await connect(t, tracker.url);
    sendJoin(stray, STREAM, issueJoinToken({ algorithm: 'EdDSA', privateKeyPkcs8: strayKey.privateKeyPkcs8 }, { swarm: STREAM, ttlSec: 600 }));
    assert.match(await expectRefused(stray, 'TOKEN_INVALID'), /signature does not verify/);
    assert.equal(tracker.stats().swarmsDetail[STREAM]?.peers, 2);
  });

  void test('clock skew: a token expired or issued within clockSkewSec still joins', async (t) => {
    const tracker = await start(t, { ...HS256, clockSkewSec: 30 });
    const now = nowSec();
    await joinWith(t, tracker.url, STREAM, craft({ alg: 'HS256', typ: 'JWT' }, claims({ iat: now - 600, exp: now - 10 })));
    await joinWith(t, tracker.url, STREAM, craft({ alg: 'HS256' }, claims({ iat: now + 10, exp: now + 600 })));
  });

  void test('swarms not listed need no token (one given is ignored); listed ones do', async (t) => {
    const tracker = await start(t, { ...HS256, swarms: [STREAM] });
    await joinWith(t, tracker.url, OTHER, undefined);
    await joinWith(t, tracker.url, OTHER, 'not even a JWT');
    await joinWith(t, tracker.url, STREAM, goodToken());
    const bare = await connect(t, tracker.url);
    sendJoin(bare, STREAM, undefined);
    await expectRefused(bare, 'TOKEN_REQUIRED');
    assert.deepEqual(tracker.stats().rejects, { TOKEN_REQUIRED: 1 });
  });

  void test('a repeated join is checked too', async (t) => {
    const tracker = await start(t, HS256);
    const client = await joinWith(t, tracker.url, STREAM, goodToken());
    sendJoin(client, STREAM, goodToken());
    await client.expect('joined');
    sendJoin(client, STREAM, undefined);
    await expectRefused(client, 'TOKEN_REQUIRED');
  });
});

interface RefusedCase {
  name: string;
  code: 'TOKEN_REQUIRED' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_WRONG_STREAM';
  token: () => string | undefined;
  message: RegExp;
}

const alteredPayload = (): string => {
  const [header = '', , signature = ''] = goodToken().split('.');
  return `${header}.${b64json(claims({ exp: nowSec() + 3_000 }))}.${signature}`;
};

const refusedCases: RefusedCase[] = [
  { name: 'no token', code: 'TOKEN_REQUIRED', token: () => undefined, message: /requires a join token/ },
  { name: 'an empty token', code: 'TOKEN_REQUIRED', token: () => '', message: /requires a join token/ },
  { name: 'signed with another secret', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, claims(), hmacWith(`${SECRET}-other`)), message: /signature does not verify/ },
  { name: 'alg none, unsigned', code: 'TOKEN_INVALID', token: () => `${b64json({ alg: 'none' })}.${b64json(claims())}.`, message: /unsigned \(alg "none"\)/ },
  { name: 'alg NONE with a signature', code: 'TOKEN_INVALID', token: () => craft({ alg: 'NONE' }, claims()), message: /unsigned/ },
  { name: 'another alg (HS512)', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS512' }, claims()), message: /alg "HS512" is not the configured "HS256"/ },
  { name: 'no alg', code: 'TOKEN_INVALID', token: () => craft({ typ: 'JWT' }, claims()), message: /header has no alg/ },
  { name: 'a crit header', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256', crit: ['b64'], b64: false }, claims()), message: /crit/ },
  { name: 'an altered payload (longer exp) under the original signature', code: 'TOKEN_INVALID', token: alteredPayload, message: /signature does not verify/ },
  { name: 'not a JWT', code: 'TOKEN_INVALID', token: () => 'hello', message: /is not a JWT/ },
  { name: 'four parts', code: 'TOKEN_INVALID', token: () => `${goodToken()}.x`, message: /is not a JWT/ },
  { name: 'a header that is not JSON', code: 'TOKEN_INVALID', token: () => `bm90IGpzb24.${b64json(claims())}.c2ln`, message: /header is not a base64url JSON object/ },
  { name: 'padding and other characters outside base64url', code: 'TOKEN_INVALID', token: () => `${goodToken()}=`, message: /signature is not 32 bytes/ },
  { name: 'a truncated signature', code: 'TOKEN_INVALID', token: () => goodToken().slice(0, -4), message: /signature is not 32 bytes/ },
  { name: 'a payload that is not an object', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, [STREAM]), message: /payload is not a base64url JSON object/ },
  { name: 'no sub', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, claims({ sub: undefined })), message: /claim sub/ },
  { name: 'no exp', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, claims({ exp: undefined })), message: /no exp claim/ },
  { name: 'exp as a string', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, claims({ exp: String(nowSec() + 60) })), message: /claim exp must be a number/ },
  { name: 'no iat', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, claims({ iat: undefined })), message: /no iat claim/ },
  { name: 'vid not a string', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, claims({ vid: 7 })), message: /claim vid must be a string/ },
  { name: 'expired', code: 'TOKEN_EXPIRED', token: () => craft({ alg: 'HS256' }, claims({ iat: nowSec() - 1_800, exp: nowSec() - 600 })), message: /expired 60[01] s ago/ },
  { name: 'iat in the future (not yet valid)', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, claims({ iat: nowSec() + 300, exp: nowSec() + 900 })), message: /issued (299|300) s in the future/ },
  { name: 'nbf in the future', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, claims({ nbf: nowSec() + 300 })), message: /not valid for another (299|300) s/ },
  { name: 'a lifetime beyond maxTtlSec', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, claims({ exp: nowSec() + 3_601 })), message: /lives 3601 s .*maxTtlSec 3600/ },
  { name: 'exp before iat', code: 'TOKEN_INVALID', token: () => craft({ alg: 'HS256' }, claims({ exp: nowSec() - 1 })), message: /expires before it was issued/ },
  { name: 'for another stream', code: 'TOKEN_WRONG_STREAM', token: () => goodToken(OTHER), message: /another stream .*other\/master\.m3u8/ },
  { name: 'for the stream with a query (the swarm id has none)', code: 'TOKEN_WRONG_STREAM', token: () => goodToken(`${STREAM}?user=1`), message: /another stream/ },
];

void describe('join tokens: refused, while good members carry on', () => {
  void test('every kind of bad token gets its code, a message and a 1008 close', async (t) => {
    const tracker = await start(t, HS256);
    const good1 = await joinWith(t, tracker.url, STREAM, goodToken());
    const good2 = await joinWith(t, tracker.url, STREAM, goodToken());
    const expectedRejects: Record<string, number> = {};
    for (const c of refusedCases) {
      await t.test(c.name, async (st) => {
        const bad = await connect(st, tracker.url);
        sendJoin(bad, STREAM, c.token());
        assert.match(await expectRefused(bad, c.code), c.message);
        expectedRejects[c.code] = (expectedRejects[c.code] ?? 0) + 1;
        await assertGoodPairWorks(good1, good2);
      });
    }
    const stats = tracker.stats();
    assert.deepEqual(stats.rejects, expectedRejects);
    assert.deepEqual(stats.swarmsDetail, { [STREAM]: { peers: 2 } });
  });

  void test('a token replayed on another stream is refused, on a new connection and on the same one', async (t) => {
    const tracker = await start(t, HS256);
    const token = goodToken(STREAM);
    const holder = await joinWith(t, tracker.url, STREAM, token);
    const good = await joinWith(t, tracker.url, STREAM, goodToken());
    const replayer = await connect(t, tracker.url);
    sendJoin(replayer, OTHER, token);
    await expectRefused(replayer, 'TOKEN_WRONG_STREAM');
    // The holder itself tries the token on another stream: refused and closed, so it leaves STREAM too.
    sendJoin(holder, OTHER, token);
    await expectRefused(holder, 'TOKEN_WRONG_STREAM');
    await good.roundTrip();
    assert.deepEqual(tracker.stats().swarmsDetail, { [STREAM]: { peers: 1 } });
    assert.deepEqual(tracker.stats().rejects, { TOKEN_WRONG_STREAM: 2 });
  });

  void test('algorithm pinning: HS256 tokens (even keyed with a public key) fail on EdDSA, EdDSA tokens fail on HS256', async (t) => {
    const key = generateSigningKey();
    const edTracker = await start(t, { algorithm: 'EdDSA', publicKeys: [key.publicKey] });
    // The classic confusion attack: an HMAC keyed with the (public) verification key.
    for (const secret of [key.publicKey, Buffer.from(key.publicKey, 'base64url').toString('latin1')]) {
      const client = await connect(t, edTracker.url);
      sendJoin(client, STREAM, craft({ alg: 'HS256' }, claims(), hmacWith(secret)));
      assert.match(await expectRefused(client, 'TOKEN_INVALID'), /alg "HS256" is not the configured "EdDSA"/);
    }
    const hsTracker = await start(t, HS256);
    const client = await connect(t, hsTracker.url);
    sendJoin(client, STREAM, craft({ alg: 'EdDSA' }, claims(), ed25519With(key)));
    assert.match(await expectRefused(client, 'TOKEN_INVALID'), /alg "EdDSA" is not the configured "HS256"/);
  });
});

void describe('join tokens: verifier edges on a fixed clock', () => {
  const verifier = new JoinTokenVerifier({ ...HS256, clockSkewSec: 30 });
  const at = 1_700_000_000;
  const token = craft({ alg: 'HS256' }, { sub: STREAM, iat: at, exp: at + 600, vid: 'v1' });
  const codeAt = (now: number): string => {
    try {
      verifier.verify(token, STREAM, now);
      return 'ok';
    } catch (error) {
      assert.ok(error instanceof TrackerError);
      assert.equal(error.fatal, true);
      return error.code;
    }
  };

  void test('exp is honoured up to clockSkewSec after it; iat up to clockSkewSec before it', () => {
    assert.equal(codeAt(at + 600 + 29), 'ok');
    assert.equal(codeAt(at + 600 + 30), 'TOKEN_EXPIRED');
    assert.equal(codeAt(at - 30), 'ok');
    assert.equal(codeAt(at - 31), 'TOKEN_INVALID');
  });

  void test('returns the claims; a swarm outside `swarms` needs no token', () => {
    assert.deepEqual(verifier.verify(token, STREAM, at), { sub: STREAM, iat: at, exp: at + 600, vid: 'v1' });
    const partial = new JoinTokenVerifier({ ...HS256, swarms: [STREAM] });
    assert.equal(partial.requires(STREAM), true);
    assert.equal(partial.requires(OTHER), false);
    assert.equal(verifier.requires(OTHER), true);
  });
});

void describe('join tokens: issuing', () => {
  void test('issueJoinToken writes a JWT with alg, typ and the claims', () => {
    const token = issueJoinToken({ algorithm: 'HS256', secret: SECRET }, { swarm: STREAM, ttlSec: 90, viewerId: 'u1', jti: 'j1', nowSec: 1_000.7 });
    const [header = '', payload = ''] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { alg: 'HS256', typ: 'JWT' });
    assert.deepEqual(JSON.parse(Buffer.from(payload, 'base64url').toString()), { sub: STREAM, iat: 1_000, exp: 1_090, vid: 'u1', jti: 'j1' });
  });

  void test('refuses bad requests', () => {
    const key = { algorithm: 'HS256', secret: SECRET } as const;
    assert.throws(() => issueJoinToken(key, { swarm: '', ttlSec: 60 }), /swarm must be 1 to 512/);
    assert.throws(() => issueJoinToken(key, { swarm: STREAM, ttlSec: 0 }), /ttlSec must be a whole number/);
    assert.throws(() => issueJoinToken({ algorithm: 'HS256', secret: 'short' }, { swarm: STREAM, ttlSec: 60 }), /at least 32 characters/);
    assert.throws(() => issueJoinToken({ algorithm: 'EdDSA', privateKeyPkcs8: 'AAAA' }, { swarm: STREAM, ttlSec: 60 }), /PKCS#8/);
    assert.throws(() => issueJoinToken(key, { swarm: STREAM, ttlSec: 60, viewerId: 'v'.repeat(LIMITS.maxJoinTokenLength) }), /more than the 4096/);
  });
});

void describe('join tokens: tracker config', () => {
  void test('defaults fill in; the resolved block is a frozen copy', () => {
    const input: JoinTokensOptions = { algorithm: 'HS256', secret: SECRET, swarms: [STREAM] };
    const { joinTokens } = resolveTrackerConfig({ joinTokens: input });
    assert.deepEqual(joinTokens, { algorithm: 'HS256', secret: SECRET, publicKeys: undefined, swarms: [STREAM], clockSkewSec: 30, maxTtlSec: 86_400 });
    assert.notEqual(joinTokens, input);
    assert.ok(Object.isFrozen(joinTokens) && Object.isFrozen(joinTokens.swarms));
    assert.equal(resolveTrackerConfig().joinTokens, undefined);
  });

  const key = generateSigningKey().publicKey;
  const invalid: [string, unknown, RegExp][] = [
    ['not an object', 'HS256', /joinTokens: must be an object/],
    ['no algorithm', { secret: SECRET }, /joinTokens: algorithm must be 'HS256' or 'EdDSA', got undefined/],
    ['alg none', { algorithm: 'none' }, /algorithm must be 'HS256' or 'EdDSA', got "none"/],
    ['HS256 without a secret', { algorithm: 'HS256' }, /secret must be 32 to 1024 printable ASCII/],
    ['HS256 with a short secret', { algorithm: 'HS256', secret: 'x'.repeat(31) }, /secret must be 32 to 1024/],
    ['HS256 with public keys', { algorithm: 'HS256', secret: SECRET, publicKeys: [key] }, /publicKeys is for EdDSA/],
    ['EdDSA without keys', { algorithm: 'EdDSA' }, /publicKeys must be an array of 1 to 8/],
    ['EdDSA with no key', { algorithm: 'EdDSA', publicKeys: [] }, /publicKeys must be an array of 1 to 8/],
    ['EdDSA with a bad key', { algorithm: 'EdDSA', publicKeys: [key, 'abc'] }, /publicKeys\[1\] is not a raw Ed25519 public key/],
    ['EdDSA with a secret', { algorithm: 'EdDSA', publicKeys: [key], secret: SECRET }, /secret is for HS256/],
    ['an empty swarms list', { ...HS256, swarms: [] }, /swarms must be an array of 1 to/],
    ['a bad swarm id', { ...HS256, swarms: [STREAM, ''] }, /swarms\[1\] must be a swarm id/],
    ['negative skew', { ...HS256, clockSkewSec: -1 }, /clockSkewSec must be an integer from 0 to 3600, got -1/],
    ['zero ttl', { ...HS256, maxTtlSec: 0 }, /maxTtlSec must be an integer from 1/],
    ['an unknown option', { ...HS256, ttl: 5 }, /unknown option 'ttl'/],
  ];
  for (const [name, joinTokens, message] of invalid) {
    void test(`invalid: ${name}`, () => {
      assert.throws(
        () => resolveTrackerConfig({ joinTokens: joinTokens as JoinTokensOptions }),
        (error: unknown) => error instanceof Error && error.message.startsWith('Invalid tracker config: joinTokens: ') && message.test(error.message),
      );
    });
  }
});
