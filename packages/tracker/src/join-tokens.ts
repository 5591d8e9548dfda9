/**
 * Join token verification: a compact JWS (JWT) signed with HS256 or EdDSA, checked with node:crypto.
 * The algorithm is the configured one, never the token's own claim; the signature is checked before
 * any claim is read; the claims bind the token to one swarm and a bounded lifetime.
 */
import { createHmac, timingSafeEqual, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { JoinTokenErrorCode } from '@swarmcast/protocol';
import { TrackerError } from './errors.js';
import { ed25519PublicKey, resolveJoinTokensConfig } from './join-token-config.js';
import type { JoinTokensConfig, JoinTokensOptions } from './join-token-config.js';

/** The claims of a join token that passed every check. */
export interface JoinTokenClaims {
  /** The swarm id the token admits to. */
  readonly sub: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** Issue time, seconds since the epoch. */
  readonly iat: number;
  /** Not valid before, seconds since the epoch, when the issuer set it. */
  readonly nbf?: number;
  /** Viewer id, as the issuer set it. */
  readonly vid?: string;
  /** Token id, as the issuer set it. */
  readonly jti?: string;
}

const SIGNATURE_BYTES = { HS256: 32, EdDSA: 64 } as const;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function refuse(code: JoinTokenErrorCode, message: string): TrackerError {
  return new TrackerError(code, message, { fatal: true });
}

function invalid(message: string): TrackerError {
  return refuse('TOKEN_INVALID', `join token ${message}`);
}

/** A received value, quoted and cut short, for an error message. */
function quote(value: unknown): string {
  // Values come from JSON: undefined means absent.
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function decodePart(part: string): Buffer | undefined {
  return BASE64URL.test(part) && part.length % 4 !== 1 ? Buffer.from(part, 'base64url') : undefined;
}

/** A base64url JSON object (header or payload); undefined if it is not one. */
function decodeObject(part: string): Record<string, unknown> | undefined {
  const bytes = decodePart(part);
  if (bytes === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Own properties only: nothing inherited from Object.prototype passes for a header field or a claim. */
function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A NumericDate claim (seconds since the epoch), or undefined when absent. */
function numericDate(payload: Record<string, unknown>, claim: string): number | undefined {
  const value = own(payload, claim);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`claim ${claim} must be a number of seconds since the epoch, got ${quote(value)}`);
  return value;
}

function optionalString(payload: Record<string, unknown>, claim: string): string | undefined {
  const value = own(payload, claim);
  if (value !== undefined && typeof value !== 'string') throw invalid(`claim ${claim} must be a string, got ${quote(value)}`);
  return value;
}

/** Checks join tokens against one resolved config. */
export class JoinTokenVerifier {
  readonly #config: Readonly<JoinTokensConfig>;
  readonly #swarms: ReadonlySet<string> | undefined;
  readonly #secret: Buffer | undefined;
  readonly #publicKeys: readonly KeyObject[];

  /** Throws Error('Invalid join tokens config: ...') on bad options. */
  constructor(options: JoinTokensOptions) {
    const config = resolveJoinTokensConfig(options);
    this.#config = config;
    this.#swarms = config.swarms === undefined ? undefined : new Set(config.swarms);
    this.#secret = config.secret === undefined ? undefined : Buffer.from(config.secret, 'utf8');
    this.#publicKeys = (config.publicKeys ?? []).map((raw) => {
      const key = ed25519PublicKey(raw);
      if (key === undefined) throw new Error(`Invalid join tokens config: ${raw} is not an Ed25519 public key`);
      return key;
    });
  }

  /** Whether a join of `swarm` must carry a token. */
  requires(swarm: string): boolean {
    return this.#swarms === undefined || this.#swarms.has(swarm);
  }

  /**
   * Checks `token` for a join of `swarm` at `nowSec` (seconds since the epoch) and returns its claims.
   * Throws a fatal TrackerError: TOKEN_REQUIRED, TOKEN_INVALID, TOKEN_EXPIRED or TOKEN_WRONG_STREAM.
   */
  verify(token: string | undefined, swarm: string, nowSec: number): JoinTokenClaims {
    if (token === undefined || token === '') {
      throw refuse('TOKEN_REQUIRED', 'this stream requires a join token: set joinToken in the player config');
    }
    const payload = this.#verifiedPayload(token);
    const claims = this.#claims(payload);
    this.#checkTimes(claims, nowSec);
    if (claims.sub !== swarm) {
      throw refuse('TOKEN_WRONG_STREAM', `join token is for another stream (sub ${quote(claims.sub)}): a token admits to the stream it was issued for only`);
    }
    return claims;
  }

  /** The payload of a token whose header names the configured algorithm and whose signature verifies. */
  #verifiedPayload(token: string): Record<string, unknown> {
    const parts = token.split('.');
    const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
    if (parts.length !== 3) throw invalid('is not a JWT: expected header.payload.signature in base64url');
    const header = decodeObject(headerPart);
    if (header === undefined) throw invalid('header is not a base64url JSON object');
    const alg = own(header, 'alg');
    const expected = this.#config.algorithm;
    if (alg === undefined) throw invalid('header has no alg');
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') throw invalid('is unsigned (alg "none"): refused');
    if (alg !== expected) throw invalid(`alg ${quote(alg)} is not the configured ${quote(expected)}`);
    // RFC 7515 4.1.11: extensions listed in crit must be understood; this verifier knows none.
    if (own(header, 'crit') !== undefined) throw invalid('header has crit: no JWS extension is supported');
    const signature = decodePart(signaturePart);
    if (signature?.length !== SIGNATURE_BYTES[expected]) throw invalid(`signature is not ${SIGNATURE_BYTES[expected]} bytes of base64url (${expected})`);
    const signingInput = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
    if (!this.#signatureValid(signingInput, signature)) throw invalid('signature does not verify: forged, altered, or signed with another key');
    const payload = decodeObject(payloadPart);
    if (payload === undefined) throw invalid('payload is not a base64url JSON object');
    return payload;
  }

  #signatureValid(signingInput: Buffer, signature: Buffer): boolean {
    if (this.#secret !== undefined) {
      const mac = createHmac('sha256', this.#secret).update(signingInput).digest();
      return timingSafeEqual(mac, signature);
    }
    // Rotation: the token names no key we rely on; one of a few keys must verify it.
    return this.#publicKeys.some((key) => verify(null, signingInput, key, signature));
  }

  #claims(payload: Record<string, unknown>): JoinTokenClaims {
    const sub = own(payload, 'sub');
    if (typeof sub !== 'string' || sub === '') throw invalid(`claim sub (the stream's swarm id) must be a non-empty string, got ${quote(sub)}`);
    const exp = numericDate(payload, 'exp');
    if (exp === undefined) throw invalid('has no exp claim: every join token must expire');
    // Without iat the lifetime, which maxTtlSec bounds, is unknown.
    const iat = numericDate(payload, 'iat');
    if (iat === undefined) throw invalid('has no iat claim (issue time)');
    const nbf = numericDate(payload, 'nbf');
    const vid = optionalString(payload, 'vid');
    const jti = optionalString(payload, 'jti');
    return { sub, exp, iat, ...(nbf === undefined ? {} : { nbf }), ...(vid === undefined ? {} : { vid }), ...(jti === undefined ? {} : { jti }) };
  }

  #checkTimes(claims: JoinTokenClaims, nowSec: number): void {
    const { clockSkewSec, maxTtlSec } = this.#config;
    const { exp, iat, nbf } = claims;
    if (iat > nowSec + clockSkewSec) throw invalid(`was issued ${Math.round(iat - nowSec)} s in the future (iat): check the issuer's clock`);
    if (nbf !== undefined && nbf > nowSec + clockSkewSec) throw invalid(`is not valid for another ${Math.round(nbf - nowSec)} s (nbf)`);
    if (exp <= iat) throw invalid('expires before it was issued (exp <= iat)');
    if (exp - iat > maxTtlSec) throw invalid(`lives ${Math.round(exp - iat)} s (exp - iat), longer than the tracker accepts (maxTtlSec ${maxTtlSec})`);
    if (nowSec >= exp + clockSkewSec) throw refuse('TOKEN_EXPIRED', `join token expired ${Math.round(nowSec - exp)} s ago: get a new one`);
  }
}

/** One verifier per resolved config object, built on first use (the tracker's config is frozen). */
const verifiers = new WeakMap<JoinTokensOptions, JoinTokenVerifier>();

/**
 * Refuses a join of `swarm` (a fatal TrackerError TOKEN_*) unless `token` admits to it, or the
 * swarm needs none. Does nothing when `options` is undefined (join tokens off).
 */
export function checkJoinToken(options: JoinTokensOptions | undefined, swarm: string, token: string | undefined, nowSec = Date.now() / 1000): void {
  if (options === undefined) return;
  let verifier = verifiers.get(options);
  if (verifier === undefined) verifiers.set(options, (verifier = new JoinTokenVerifier(options)));
  if (verifier.requires(swarm)) verifier.verify(token, swarm, nowSec);
}
