import type { IntegrityAuthorityOptions } from './config.js';
import { IntegrityError } from './errors.js';

export interface SidecarConfig {
  /** The tracker's authority endpoint, e.g. 'ws://tracker.example:8081/authority'. Required. */
  publishUrl: string;
  /** Shared secret, sent as `Authorization: Bearer <secret>` (the tracker's authoritySecret). Required. */
  secret: string;
  /**
   * First reconnect delay after the connection fails or drops; doubles per failure in a row.
   * @default 1_000 // 1 s
   */
  reconnectMinMs: number;
  /**
   * Longest reconnect delay.
   * @default 30_000 // 30 s
   */
  reconnectMaxMs: number;
  /**
   * WebSocket ping interval; a connection that misses two pongs in a row is dropped and reopened.
   * @default 15_000 // 15 s
   */
  pingIntervalMs: number;
}

export type SigningSidecarOptions = Pick<SidecarConfig, 'publishUrl' | 'secret'> &
  Partial<SidecarConfig> & {
    /** The streams to sign and the key, as for IntegrityAuthority. */
    authority: IntegrityAuthorityOptions;
  };

export const sidecarDefaults: Readonly<SidecarConfig> = Object.freeze({
  publishUrl: '',
  secret: '',
  reconnectMinMs: 1_000,
  reconnectMaxMs: 30_000,
  pingIntervalMs: 15_000,
});

/** Merges options over sidecarDefaults and checks them; throws IntegrityError INTEGRITY_INVALID_CONFIG. */
export function resolveSidecarConfig(options: SigningSidecarOptions): SidecarConfig {
  const config: SidecarConfig = { ...sidecarDefaults };
  for (const key of Object.keys(sidecarDefaults) as (keyof SidecarConfig)[]) {
    const value = options[key];
    if (value !== undefined) Object.assign(config, { [key]: value });
  }
  const problems: string[] = [];
  if (!/^wss?:\/\/./.test(config.publishUrl)) problems.push(`publishUrl must be a ws:// or wss:// URL, got ${JSON.stringify(config.publishUrl)}`);
  if (typeof config.secret !== 'string' || config.secret === '') problems.push('secret must be a non-empty string');
  for (const name of ['reconnectMinMs', 'reconnectMaxMs', 'pingIntervalMs'] as const) {
    const value = config[name];
    if (!Number.isInteger(value) || value < 1) problems.push(`${name} must be a positive integer, got ${String(value)}`);
  }
  if (config.reconnectMaxMs < config.reconnectMinMs) problems.push('reconnectMaxMs must be at least reconnectMinMs');
  if (problems.length > 0) throw new IntegrityError('INTEGRITY_INVALID_CONFIG', `Invalid sidecar config: ${problems.join('; ')}`);
  return config;
}
