import type { TrackerRejectCode } from './errors.js';
import type { TrackerIntegrityStats } from './record-hub.js';
import type { ClusterStats } from './cluster/swarm-directory.js';

/** A snapshot of the tracker's state and counters, as served on GET /stats. */
export interface TrackerStats {
  /** Open, accepted connections. */
  connections: number;
  swarms: number;
  /** Swarm memberships: a connection in two swarms counts twice. */
  peers: number;
  /** Frames received from clients, valid or not. */
  messagesIn: number;
  signalsRelayed: number;
  /** Refused input and dropped connections, by TrackerRejectCode. */
  rejects: Record<string, number>;
  swarmsDetail: Record<string, { peers: number }>;
  /** Segment integrity: signing, publishers and records sent; null without integrity or authoritySecret. */
  integrity: TrackerIntegrityStats | null;
  /** Cluster mode (Redis link, cross-node signals); null for a tracker alone. Other figures here are this node's own. */
  cluster: ClusterStats | null;
}

/** The counters that only grow; the live gauges come from the registry and the connection table. */
export class TrackerCounters {
  messagesIn = 0;
  signalsRelayed = 0;
  readonly #rejects = new Map<TrackerRejectCode, number>();

  reject(code: TrackerRejectCode): void {
    this.#rejects.set(code, (this.#rejects.get(code) ?? 0) + 1);
  }

  rejects(): Record<string, number> {
    return Object.fromEntries(this.#rejects);
  }
}
