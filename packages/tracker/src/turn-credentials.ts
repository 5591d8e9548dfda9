/**
 * Time-limited TURN credentials, minted per peer in the "TURN REST API" convention that coturn
 * checks with `use-auth-secret` + `static-auth-secret` (draft-uberti-behave-turn-rest):
 *   username   = `<expiry, Unix seconds>:<peer id>`
 *   credential = base64(HMAC-SHA1(secret, username))
 * The TURN server recomputes the HMAC from the username and its copy of the secret, and refuses the
 * username once its expiry has passed, so nothing is stored per viewer and a leaked credential only
 * works until it expires.
 */
import { createHmac } from 'node:crypto';
import { ICE_URL_PATTERN, LIMITS } from '@swarmcast/protocol';
import type { IceServer } from '@swarmcast/protocol';

/** The tracker's `turn` option. */
export interface TurnOptions {
  /**
   * TURN server URLs handed to every peer, e.g. `turn:turn.example.com:3478?transport=udp`,
   * `turns:turn.example.com:443?transport=tcp` (1 to LIMITS.maxIceServerUrls; `stun:` URLs may ride along).
   */
  urls: string[];
  /** The TURN server's `static-auth-secret`: 16 to 1024 printable ASCII characters without spaces. */
  secret: string;
  /**
   * How long minted credentials stay valid, in seconds. Peers get theirs in welcome; a peer that
   * outlives them can no longer open or refresh relay allocations until it reconnects to the tracker.
   * @default 3600 // 1 h
   */
  ttlSec?: number;
}

/** A credential's lifetime when the option does not say. */
export const TURN_DEFAULT_TTL_SEC = 3600;
/** Bounds of ttlSec: a minute (clock skew and slow ICE) to a week. */
const TTL_MIN_SEC = 60;
const TTL_MAX_SEC = 7 * 24 * 3600;

/** Problems with a `turn` option, each as `turn.<field> ...`; empty when it is fine. */
export function turnOptionsProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['turn must be an object { urls, secret, ttlSec? }'];
  const problems: string[] = [];
  const { urls, secret, ttlSec, ...rest } = value as Record<string, unknown>;
  for (const key of Object.keys(rest)) problems.push(`turn: unknown option '${key}'`);
  if (
    !Array.isArray(urls) ||
    urls.length === 0 ||
    urls.length > LIMITS.maxIceServerUrls ||
    !urls.every((u) => typeof u === 'string' && u.length <= LIMITS.maxIceUrlLength && ICE_URL_PATTERN.test(u))
  ) {
    problems.push(
      `turn.urls must be 1 to ${LIMITS.maxIceServerUrls} URLs like turn:host:3478?transport=udp or turns:host:443?transport=tcp ` +
        `(at most ${LIMITS.maxIceUrlLength} characters, no credentials inside), got ${JSON.stringify(urls)}`,
    );
  } else if (!urls.some((u: string) => u.startsWith('turn'))) {
    problems.push('turn.urls needs at least one turn: or turns: URL (credentials are for TURN; STUN needs none)');
  }
  if (typeof secret !== 'string' || !/^[\x21-\x7e]{16,1024}$/.test(secret)) {
    problems.push('turn.secret must be 16 to 1024 printable ASCII characters without spaces (the TURN server\'s static-auth-secret)');
  }
  if (ttlSec !== undefined && (typeof ttlSec !== 'number' || !Number.isInteger(ttlSec) || ttlSec < TTL_MIN_SEC || ttlSec > TTL_MAX_SEC)) {
    problems.push(`turn.ttlSec must be an integer from ${TTL_MIN_SEC} to ${TTL_MAX_SEC}, got ${typeof ttlSec === 'number' ? String(ttlSec) : JSON.stringify(ttlSec)}`);
  }
  return problems;
}

/** A TURN REST credential pair. */
export interface TurnCredential {
  readonly username: string;
  readonly credential: string;
}

/** coturn's check, done here: `credential` is base64(HMAC-SHA1(secret, username)). */
export function turnRestCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** The credential of `peerId` that expires at `expirySec` (Unix seconds). */
export function mintTurnCredential(secret: string, peerId: string, expirySec: number): TurnCredential {
  const username = `${Math.floor(expirySec)}:${peerId}`;
  return { username, credential: turnRestCredential(secret, username) };
}

/** Mints each peer's iceServers entry for welcome. */
export class TurnCredentialMinter {
  readonly #urls: string[];
  readonly #secret: string;
  readonly #ttlSec: number;
  readonly #nowMs: () => number;

  /** `options` must have passed turnOptionsProblems(); `nowMs` is wall-clock time (Date.now). */
  constructor(options: TurnOptions, nowMs: () => number = Date.now) {
    this.#urls = [...options.urls];
    this.#secret = options.secret;
    this.#ttlSec = options.ttlSec ?? TURN_DEFAULT_TTL_SEC;
    this.#nowMs = nowMs;
  }

  /** welcome's iceServers for `peerId`: the TURN URLs with a credential valid for ttlSec from now. */
  iceServersFor(peerId: string): IceServer[] {
    const expirySec = Math.floor(this.#nowMs() / 1000) + this.#ttlSec;
    return [{ urls: [...this.#urls], ...mintTurnCredential(this.#secret, peerId, expirySec) }];
  }
}
