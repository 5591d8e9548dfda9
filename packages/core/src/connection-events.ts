/**
 * What the engine does as its connections change: a peer ready, interrupted, resumed or closed
 * (counters, events, seeders, refills), and the tracker's welcome (the ICE servers for new connections).
 */
import type { IceServer } from '@swarmcast/protocol';
import type { EngineEvents } from './engine-events.js';
import type { Emitter } from './emitter.js';
import { EngineError } from './errors.js';
import type { Peer } from './peer.js';
import type { PeerPool } from './peer-pool.js';
import type { ConnectOptions, PeerConnector } from './ports.js';
import type { SeederWatch } from './seeder-watch.js';
import type { EngineStats } from './stats.js';
import type { SummaryReporter } from './summary-reporter.js';
import type { SwarmJoin } from './swarm-join.js';

/** What ConnectionEvents needs from the engine. */
export interface ConnectionEventsHost {
  readonly counters: EngineStats;
  readonly events: Emitter<EngineEvents>;
  readonly connector: PeerConnector;
  readonly seeders: Pick<SeederWatch, 'changed'>;
  readonly pool: Pick<PeerPool, 'maybeRefill'>;
  readonly swarmJoin: Pick<SwarmJoin, 'stopRefill'>;
  readonly summaries: Pick<SummaryReporter, 'stop'>;
}

/** The engine's answers to its peer pool's connection events and to the tracker's welcome. */
export class ConnectionEvents {
  /** Handed to the connector for each new connection: the latest welcome's ICE servers. */
  private options: ConnectOptions = { trackerIceServers: [] };

  constructor(private readonly host: ConnectionEventsHost) {}

  /** What the connector is told for each new connection (see PeerHost.connectOptions). */
  get connectOptions(): ConnectOptions {
    return this.options;
  }

  /** Takes the tracker's ICE servers for new connections, unless the connector cannot use them. */
  welcomed(iceServers: IceServer[]): boolean {
    const options: ConnectOptions = { trackerIceServers: iceServers };
    const refusal = this.host.connector.refusal?.(options);
    if (refusal !== undefined) {
      this.host.swarmJoin.stopRefill();
      this.host.summaries.stop();
      this.host.events.emit('error', { error: new EngineError('P2P_REFUSED', `P2P is off (segments come over HTTP): ${refusal}`) });
      return false;
    }
    this.options = options;
    return true;
  }

  peerReady(peer: Peer): void {
    this.host.seeders.changed();
    this.host.events.emit('peer-connected', { peerId: peer.id });
  }

  pathChanged(peer: Peer, change: 'interrupted' | 'resumed' | 'restarted'): void {
    const { counters, events } = this.host;
    if (change === 'interrupted') {
      counters.linkInterruptions += 1;
      events.emit('peer-interrupted', { peerId: peer.id });
      // Below minPeers now: look for more while this one is out.
      this.host.pool.maybeRefill();
      return;
    }
    if (change === 'restarted') counters.linkRestarts += 1;
    else counters.linkRecoveries += 1;
    events.emit('peer-resumed', { peerId: peer.id, restarted: change === 'restarted' });
  }

  peerClosed(peer: Peer, reason: string): void {
    const { counters } = this.host;
    if (peer.interrupted) counters.interruptedLinksClosed += 1;
    if (reason.startsWith('protocol violation') || reason.startsWith('integrity violation')) counters.peerViolations += 1;
    if (peer.ready || peer.closed) this.host.events.emit('peer-disconnected', { peerId: peer.id, reason });
    this.host.seeders.changed();
    this.host.pool.maybeRefill();
  }
}
