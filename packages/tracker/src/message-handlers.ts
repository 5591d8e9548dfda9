import { relayedSignalText } from '@swarmcast/protocol';
import type { ClientMessage } from '@swarmcast/protocol';
import type { TrackerConfig } from './config.js';
import type { Connection } from './connection.js';
import { TrackerError } from './errors.js';
import type { FullPeers } from './full-peers.js';
import { checkJoinToken } from './join-tokens.js';
import type { Observability } from './observability/observability.js';
import type { RecordHub } from './record-hub.js';
import type { TrackerCounters } from './stats.js';
import { whenSettled } from './cluster/swarm-directory.js';
import type { SwarmDirectory } from './cluster/swarm-directory.js';

export type HandlerConfig = Pick<TrackerConfig, 'maxPeersInList' | 'maxSwarmsPerConnection' | 'joinTokens'>;

export interface HandlerContext {
  readonly config: HandlerConfig;
  /** Swarm membership: this process's, or the whole cluster's. */
  readonly directory: SwarmDirectory<Connection>;
  readonly counters: TrackerCounters;
  readonly records: RecordHub<Connection>;
  /** Takes peer summaries; throws a non-fatal TrackerError for one it ignores. */
  readonly summaries: Pick<Observability, 'summary' | 'left'>;
  /** Peers that declined an offer lately: left out of peer lists. */
  readonly fullPeers: FullPeers;
}

/** With peers marked full, a list is drawn from this many times maxPeersInList, then cut. */
const FULL_PEERS_OVERSAMPLE = 3;

/** A random sample for a peer list: larger while some peers are marked full, as those are left out. */
function sampleSize(ctx: HandlerContext): number {
  return ctx.fullPeers.size > 0 ? FULL_PEERS_OVERSAMPLE * ctx.config.maxPeersInList : ctx.config.maxPeersInList;
}

type Msg<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/** Acts on one checked client message, parsed from text. Throws TrackerError to refuse it. */
export function handleClientMessage(ctx: HandlerContext, conn: Connection, msg: ClientMessage, text: string): void {
  switch (msg.type) {
    case 'join':
      handleJoin(ctx, conn, msg);
      return;
    case 'leave':
      handleLeave(ctx, conn, msg);
      return;
    case 'peers':
      requireMember(conn, msg.swarm, 'peers');
      whenSettled(ctx.directory.sample(msg.swarm, conn.peerId, sampleSize(ctx)), (sample) => {
        conn.send({ type: 'peers', swarm: msg.swarm, ...withSeeders(ctx, msg.swarm, conn.peerId, ctx.fullPeers.pick(msg.swarm, sample, ctx.config.maxPeersInList)) });
      });
      return;
    case 'signal':
      handleSignal(ctx, conn, msg, text);
      return;
    case 'ping':
      conn.send({ type: 'pong' });
      return;
    case 'get-records':
      handleGetRecords(ctx, conn, msg);
      return;
    case 'summary':
      requireMember(conn, msg.swarm, 'summary');
      ctx.summaries.summary(conn.peerId, msg);
      return;
    default:
      msg satisfies never;
  }
}

function handleJoin(ctx: HandlerContext, conn: Connection, msg: Msg<'join'>): void {
  // Every join of a protected swarm is checked, a repeated one too; a refusal closes the connection.
  checkJoinToken(ctx.config.joinTokens, msg.swarm, msg.token);
  if (!conn.swarms.has(msg.swarm)) {
    if (conn.swarms.size >= ctx.config.maxSwarmsPerConnection) {
      throw new TrackerError('TOO_MANY_SWARMS', `a connection may join at most ${ctx.config.maxSwarmsPerConnection} swarms; leave one first`, {
        fatal: true,
      });
    }
    conn.swarms.add(msg.swarm);
    ctx.directory.join(msg.swarm, conn, msg.group ?? '', msg.seeder === true);
  }
  // A repeated join is answered again, with a fresh sample and the recent records.
  whenSettled(ctx.directory.sample(msg.swarm, conn.peerId, sampleSize(ctx)), (sample) => {
    conn.send({ type: 'joined', swarm: msg.swarm, ...withSeeders(ctx, msg.swarm, conn.peerId, ctx.fullPeers.pick(msg.swarm, sample, ctx.config.maxPeersInList)) });
    ctx.records.joined(conn, msg.swarm);
  });
}

/** Most seeders listed in one reply: the rest of the list stays for the random sample. */
const MAX_SEEDERS_LISTED = 4;

/**
 * A peer list with this node's seeders of the asker's group first (so every joiner meets them
 * however large the swarm), then the random sample; `seeders` names them, absent when none.
 */
function withSeeders(ctx: HandlerContext, swarm: string, peerId: string, sample: readonly string[]): { peers: string[]; seeders?: string[] } {
  const max = ctx.config.maxPeersInList;
  const seeders = ctx.directory.local.seeders(swarm, peerId, Math.min(MAX_SEEDERS_LISTED, max));
  if (seeders.length === 0) return { peers: [...sample] };
  const listed = new Set(seeders);
  const peers = [...seeders, ...sample.filter((id) => !listed.has(id))].slice(0, max);
  return { peers, seeders };
}

/** Answered with what is held (possibly nothing): unknown sns are simply absent. */
function handleGetRecords(ctx: HandlerContext, conn: Connection, msg: Msg<'get-records'>): void {
  requireMember(conn, msg.swarm, 'get-records');
  const records = ctx.records.lookup(msg.swarm, msg.rendition, msg.sns);
  if (conn.send({ type: 'records', swarm: msg.swarm, records })) ctx.records.countSent(records.length);
}

function handleLeave(ctx: HandlerContext, conn: Connection, msg: Msg<'leave'>): void {
  // Leaving a swarm not joined is harmless (a retry, or a race with a close) and needs no reply.
  conn.swarms.delete(msg.swarm);
  if (ctx.directory.leave(msg.swarm, conn.peerId)) ctx.summaries.left(msg.swarm, conn.peerId);
}

function handleSignal(ctx: HandlerContext, conn: Connection, msg: Msg<'signal'>, received: string): void {
  requireMember(conn, msg.swarm, 'signal');
  if (msg.to === conn.peerId) throw unknownPeer(msg.to);
  if (msg.data.kind === 'decline') ctx.fullPeers.declined(msg.swarm, conn.peerId);
  const target = ctx.directory.local.addressee(msg.swarm, conn.peerId, msg.to);
  // Peers of different groups are never introduced: a signal across groups names a peer the sender cannot know.
  if (target === null) throw unknownPeer(msg.to);
  if (target !== undefined) {
    if (target.sendSerialized(relayedSignalText(msg, received, conn.peerId))) ctx.counters.signalsRelayed += 1;
    return;
  }
  if (!ctx.directory.clustered) throw unknownPeer(msg.to);
  // Maybe a member of another node; the answer comes later, so a miss is only counted.
  void ctx.directory.relaySignal(msg.swarm, msg.to, relayedSignalText(msg, received, conn.peerId)).then((relayed) => {
    if (relayed) ctx.counters.signalsRelayed += 1;
    else ctx.counters.reject('SIGNAL_UNKNOWN_PEER');
  });
}

function unknownPeer(to: string): TrackerError {
  return new TrackerError('SIGNAL_UNKNOWN_PEER', `no peer ${to} in swarm`, { fatal: false });
}

function requireMember(conn: Connection, swarm: string, what: string): void {
  if (!conn.swarms.has(swarm)) {
    throw new TrackerError('NOT_IN_SWARM', `${what} for a swarm this connection has not joined: send join first`, { fatal: true });
  }
}
