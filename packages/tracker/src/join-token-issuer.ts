/**
 * Issues join tokens the tracker accepts: what `swarmcast token` runs, and a reference for issuers
 * written in other languages (any JWT library that signs HS256 or EdDSA with these claims will do).
 */
import { createHmac, sign } from 'node:crypto';
import { loadSigningKey } from '@swarmcast/integrity';
import { LIMITS } from '@swarmcast/protocol';

/** The key a token is signed with; the tracker must be configured with the same algorithm. */
export type JoinTokenSigningKey =
  /** The tracker's joinTokens.secret. */
  | { readonly algorithm: 'HS256'; readonly secret: string }
  /** A `swarmcast keygen` private key (base64url PKCS#8 Ed25519); the tracker lists its publicKey. */
  | { readonly algorithm: 'EdDSA'; readonly privateKeyPkcs8: string };

export interface JoinTokenRequest {
  /** The swarm id the token admits to (claim sub): the master playlist URL without query or fragment. */
  readonly swarm: string;
  /** Lifetime in seconds (exp - iat); the tracker refuses tokens living longer than its maxTtlSec. */
  readonly ttlSec: number;
  /** Viewer id (claim vid), for the issuer's own records. */
  readonly viewerId?: string;
  /** Token id (claim jti). */
  readonly jti?: string;
  /** Issue time (claim iat), seconds since the epoch. @default now */
  readonly nowSec?: number;
}

function base64urlJson(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** A compact JWT for `request`, signed with `key`. Throws Error on a bad key or request. */
export function issueJoinToken(key: JoinTokenSigningKey, request: JoinTokenRequest): string {
  const { swarm, ttlSec, viewerId, jti } = request;
  if (typeof swarm !== 'string' || swarm.length === 0 || swarm.length > LIMITS.maxSwarmIdLength) {
    throw new Error(`join token swarm must be 1 to ${LIMITS.maxSwarmIdLength} characters`);
  }
  if (!Number.isInteger(ttlSec) || ttlSec < 1) throw new Error(`join token ttlSec must be a whole number of seconds >= 1, got ${ttlSec}`);
  const iat = Math.floor(request.nowSec ?? Date.now() / 1000);
  const claims = { sub: swarm, iat, exp: iat + ttlSec, ...(viewerId === undefined ? {} : { vid: viewerId }), ...(jti === undefined ? {} : { jti }) };
  const signingInput = `${base64urlJson({ alg: key.algorithm, typ: 'JWT' })}.${base64urlJson(claims)}`;
  let signature: Buffer;
  if (key.algorithm === 'HS256') {
    if (typeof key.secret !== 'string' || key.secret.length < 32) throw new Error('HS256 join token secret must be at least 32 characters');
    signature = createHmac('sha256', Buffer.from(key.secret, 'utf8')).update(signingInput).digest();
  } else {
    signature = sign(null, Buffer.from(signingInput, 'ascii'), loadSigningKey(key.privateKeyPkcs8).privateKey);
  }
  const token = `${signingInput}.${signature.toString('base64url')}`;
  if (token.length > LIMITS.maxJoinTokenLength) throw new Error(`join token of ${token.length} characters, more than the ${LIMITS.maxJoinTokenLength} a join carries`);
  return token;
}
