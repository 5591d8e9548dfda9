import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { LIMITS } from '@swarmcast/protocol';

/** How join tokens are signed; a token is checked against the configured one only, never its own header. */
export type JoinTokenAlgorithm = 'HS256' | 'EdDSA';

/** Join tokens: which swarms need one and how the tracker checks them (see docs/security.md, join tokens). */
export interface JoinTokensConfig {
  /** 'HS256' (a secret shared with the issuer) or 'EdDSA' (Ed25519: the tracker holds public keys only). Required. */
  algorithm: JoinTokenAlgorithm;
  /**
   * HS256 only: the secret shared with the token issuer, 32 to 1024 printable ASCII characters without spaces.
   * @default undefined
   */
  secret: string | undefined;
  /**
   * EdDSA only: raw Ed25519 public keys in base64url (the `publicKey` of `swarmcast keygen`), 1 to
   * MAX_JOIN_TOKEN_KEYS. A token signed by any of them passes: to rotate, list the old and the new key.
   * @default undefined
   */
  publicKeys: readonly string[] | undefined;
  /**
   * Swarm ids that require a token: master playlist URLs without query or fragment, as players
   * compute them. Joins of other swarms need none (a token they carry is ignored).
   * @default undefined // every swarm requires a token
   */
  swarms: readonly string[] | undefined;
  /**
   * Clock difference tolerated between the issuer and the tracker, for exp, iat and nbf.
   * @default 30 // s
   */
  clockSkewSec: number;
  /**
   * Longest lifetime (exp - iat) accepted: a token that lives longer is refused, even before it expires.
   * @default 86_400 // 24 h
   */
  maxTtlSec: number;
}

/** What callers pass: the algorithm and its key, any other field to override its default. */
export type JoinTokensOptions = Pick<JoinTokensConfig, 'algorithm'> & Partial<JoinTokensConfig>;

/** The one source of join token defaults; algorithm has none and must be given. */
export const joinTokensDefaults: Readonly<Omit<JoinTokensConfig, 'algorithm'>> = Object.freeze({
  secret: undefined,
  publicKeys: undefined,
  swarms: undefined,
  clockSkewSec: 30,
  maxTtlSec: 86_400, // 24 h
});

/** Most EdDSA public keys: enough to rotate, few enough that a forged token costs little to refuse. */
export const MAX_JOIN_TOKEN_KEYS = 8;
/** Most swarms listed in `swarms`. */
const MAX_SWARMS = 10_000;
const ALGORITHMS: readonly unknown[] = ['HS256', 'EdDSA'] satisfies JoinTokenAlgorithm[];

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** An Ed25519 public key from its raw base64url form; undefined if it is not one. */
export function ed25519PublicKey(raw: unknown): KeyObject | undefined {
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(raw)) return undefined;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

function merge(options: unknown, problems: string[]): JoinTokensConfig {
  const config = { ...joinTokensDefaults } as JoinTokensConfig;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    problems.push('must be an object { algorithm, secret | publicKeys, ... }');
    return config;
  }
  const entries: [string, unknown][] = Object.entries(options);
  for (const [key, value] of entries) {
    if (key !== 'algorithm' && !Object.hasOwn(joinTokensDefaults, key)) problems.push(`unknown option '${key}'`);
    else if (value !== undefined) Object.assign(config, { [key]: value });
  }
  return config;
}

function checkKey(config: JoinTokensConfig, problems: string[]): void {
  // Read as unknown: plain-JS callers and env parsing can pass anything.
  const algorithm: unknown = config.algorithm;
  const secret: unknown = config.secret;
  const keys: unknown = config.publicKeys;
  if (!ALGORITHMS.includes(algorithm)) {
    problems.push(`algorithm must be 'HS256' or 'EdDSA', got ${show(algorithm)}`);
    return;
  }
  if (algorithm === 'HS256') {
    if (typeof secret !== 'string' || !/^[\x21-\x7e]{32,1024}$/.test(secret)) {
      problems.push('secret must be 32 to 1024 printable ASCII characters without spaces (HS256)');
    }
    if (keys !== undefined) problems.push('publicKeys is for EdDSA: HS256 uses secret');
    return;
  }
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_JOIN_TOKEN_KEYS) {
    problems.push(`publicKeys must be an array of 1 to ${MAX_JOIN_TOKEN_KEYS} raw Ed25519 public keys in base64url (EdDSA)`);
  } else {
    (keys as unknown[]).forEach((key, i) => {
      if (ed25519PublicKey(key) === undefined) problems.push(`publicKeys[${i}] is not a raw Ed25519 public key in base64url (43 characters), got ${show(key)}`);
    });
  }
  if (secret !== undefined) problems.push('secret is for HS256: EdDSA uses publicKeys');
}

function checkSwarms(swarms: unknown, problems: string[]): void {
  if (swarms === undefined) return;
  if (!Array.isArray(swarms) || swarms.length === 0 || swarms.length > MAX_SWARMS) {
    problems.push(`swarms must be an array of 1 to ${MAX_SWARMS} swarm ids (omit it to require a token for every swarm)`);
    return;
  }
  (swarms as unknown[]).forEach((swarm, i) => {
    if (typeof swarm !== 'string' || swarm.length === 0 || swarm.length > LIMITS.maxSwarmIdLength) {
      problems.push(`swarms[${i}] must be a swarm id of 1 to ${LIMITS.maxSwarmIdLength} characters, got ${show(swarm)}`);
    }
  });
}

function checkInteger(problems: string[], name: 'clockSkewSec' | 'maxTtlSec', value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
}

function check(config: JoinTokensConfig, problems: string[]): void {
  checkKey(config, problems);
  checkSwarms(config.swarms, problems);
  checkInteger(problems, 'clockSkewSec', config.clockSkewSec, 0, 3_600);
  checkInteger(problems, 'maxTtlSec', config.maxTtlSec, 1, 366 * 86_400);
}

/** Every problem of options, for the tracker to report inside its own config error. */
export function joinTokensConfigProblems(options: unknown): string[] {
  const problems: string[] = [];
  check(merge(options, problems), problems);
  return problems;
}

/**
 * Merges options over joinTokensDefaults (undefined keeps the default) and checks every field.
 * Returns a frozen copy. Throws Error('Invalid join tokens config: ...') listing every problem.
 */
export function resolveJoinTokensConfig(options: JoinTokensOptions): Readonly<JoinTokensConfig> {
  const problems: string[] = [];
  const config = merge(options, problems);
  check(config, problems);
  if (problems.length > 0) throw new Error(`Invalid join tokens config: ${problems.join('; ')}`);
  return Object.freeze({
    ...config,
    publicKeys: config.publicKeys === undefined ? undefined : Object.freeze([...config.publicKeys]),
    swarms: config.swarms === undefined ? undefined : Object.freeze([...config.swarms]),
  });
}
