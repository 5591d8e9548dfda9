import type { ClientMessage } from '@swarmcast/protocol';
import type { TrackerConfig } from './config.js';
import type { Connection } from './connection.js';
import { TrackerError } from './errors.js';
import { checkJoinToken } from './join-tokens.js';
import type { Observability } from './observability/observability.js';
import type { RecordHub } from './record-hub.js';
import type { TrackerCounters } from './stats.js';
import type { SwarmRegistry } from './swarm-registry.js';

export type HandlerConfig = Pick<TrackerConfig, 'maxPeersInList' | 'maxSwarmsPerConnection' | 'joinTokens'>;

export interface HandlerContext {
  readonly config: HandlerConfig;
  readonly registry: SwarmRegistry<Connection>;
  readonly counters: TrackerCounters;
  readonly records: RecordHub<Connection>;
  /** Takes peer summaries; throws a non-fatal TrackerError for one it ignores. */
  readonly summaries: Pick<Observability, 'summary' | 'left'>;
}

type Msg<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/** Acts on one checked client message. Throws TrackerError to refuse it. */
export function handleClientMessage(ctx: HandlerContext, conn: Connection, msg: ClientMessage): void {
  switch (msg.type) {
    case 'join':
      handleJoin(ctx, conn, msg);
      return;
    case 'leave':
      handleLeave(ctx, conn, msg);
      return;
    case 'peers':
      requireMember(conn, msg.swarm, 'peers');
      conn.send({ type: 'peers', swarm: msg.swarm, peers: ctx.registry.sample(msg.swarm, conn.peerId, ctx.config.maxPeersInList) });
      return;
    case 'signal':
      handleSignal(ctx, conn, msg);
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
    ctx.registry.join(msg.swarm, conn);
  }
  // A repeated join is answered again, with a fresh sample and the recent records.
  conn.send({ type: 'joined', swarm: msg.swarm, peers: ctx.registry.sample(msg.swarm, conn.peerId, ctx.config.maxPeersInList) });
  ctx.records.joined(conn, msg.swarm);
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
  if (ctx.registry.leave(msg.swarm, conn.peerId)) ctx.summaries.left(msg.swarm, conn.peerId);
}

function handleSignal(ctx: HandlerContext, conn: Connection, msg: Msg<'signal'>): void {
  requireMember(conn, msg.swarm, 'signal');
  const target = msg.to === conn.peerId ? undefined : ctx.registry.get(msg.swarm, msg.to);
  if (target === undefined) {
    throw new TrackerError('SIGNAL_UNKNOWN_PEER', `no peer ${msg.to} in swarm`, { fatal: false });
  }
  if (target.send({ type: 'signal', swarm: msg.swarm, from: conn.peerId, data: msg.data })) ctx.counters.signalsRelayed += 1;
}

function requireMember(conn: Connection, swarm: string, what: string): void {
  if (!conn.swarms.has(swarm)) {
    throw new TrackerError('NOT_IN_SWARM', `${what} for a swarm this connection has not joined: send join first`, { fatal: true });
  }
}
