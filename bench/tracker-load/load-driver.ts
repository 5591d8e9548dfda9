/**
 * A load worker's slice of peers: connects them (bounded handshakes in flight), joins their swarms,
 * announces each peer every announceIntervalMs, and during a load window runs closed-loop exchanges
 * (at most one in flight per peer, at most exchangesPerSecPerPeer) and optional churn. Every queue
 * holds at most one entry per peer; one 10 ms tick drives all timed work.
 */
import { BenchPeer, nowMs, sdpPadding } from './bench-peer.js';
import type { PeerEvents, PeerProtocol } from './bench-peer.js';
import { Fifo } from './fifo.js';
import { RawWsClient } from './raw-ws-client.js';
import { LatencyHistogram } from './histogram.js';
import type { LoadReport, WorkerPlan } from './ipc.js';
import { SwarmcastProtocol } from './swarmcast-protocol.js';
import { WebtorrentProtocol, webtorrentId } from './webtorrent-protocol.js';

const TICK_MS = 10;
/** After the window, answers still in flight get this long before the report (they are not counted). */
const DRAIN_MS = 300;

interface Timed {
  readonly peer: BenchPeer;
  readonly atMs: number;
}

export class LoadDriver implements PeerEvents {
  readonly #plan: WorkerPlan;
  readonly #protocol: PeerProtocol;
  readonly #peers: (BenchPeer | undefined)[];
  readonly #announces = new Fifo<Timed>();
  readonly #exchanges = new Fifo<Timed>();
  readonly #inFlight = new Fifo<{ readonly peer: BenchPeer; readonly seq: number }>();
  readonly #errors: Record<string, number> = {};
  #histogram = new LatencyHistogram();
  #crossHistogram = new LatencyHistogram();
  #counts = { signalsRelayed: 0, crossNodeSignals: 0, announcesAnswered: 0, exchangesCompleted: 0, exchangesLost: 0, peersReplaced: 0 };
  #tick: NodeJS.Timeout | undefined;
  #measuring = false;
  #exchanging = false;
  #churnPerSec = 0;
  #churnDebt = 0;
  #lastTickMs = 0;
  #pendingOpens = 0;
  #created = 0;
  #closing = false;

  constructor(plan: WorkerPlan) {
    this.#plan = plan;
    const padding = sdpPadding(plan.sdpBytes);
    this.#protocol = plan.kind === 'swarmcast' ? new SwarmcastProtocol(this, padding) : new WebtorrentProtocol(this, padding);
    this.#peers = new Array<BenchPeer | undefined>(plan.peers);
  }

  /** Opens every peer, at most connectConcurrency handshakes at once; resolves when each is ready or failed. */
  async connectAll(deadlineMs: number): Promise<{ open: number; failed: number }> {
    this.#tick = setInterval(() => {
      this.#onTick();
    }, TICK_MS);
    let next = 0;
    let failed = 0;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (next < this.#plan.peers && this.#pendingOpens < this.#plan.connectConcurrency) {
          this.#pendingOpens += 1;
          this.#open(next++, (ok) => {
            this.#pendingOpens -= 1;
            if (!ok) failed += 1;
            if (next >= this.#plan.peers && this.#pendingOpens === 0) resolve();
            else pump();
          });
        }
      };
      pump();
      setTimeout(resolve, Math.max(0, deadlineMs - Date.now())).unref();
    });
    return { open: this.openCount(), failed };
  }

  openCount(): number {
    let n = 0;
    for (const peer of this.#peers) if (peer !== undefined && !peer.gone && peer.ready) n += 1;
    return n;
  }

  get errors(): Readonly<Record<string, number>> {
    return this.#errors;
  }

  /** Runs one load window and resolves with what it counted. */
  async load(durationMs: number, churnPerSec: number, exchanges: boolean): Promise<LoadReport> {
    this.#histogram = new LatencyHistogram();
    this.#crossHistogram = new LatencyHistogram();
    this.#counts = { signalsRelayed: 0, crossNodeSignals: 0, announcesAnswered: 0, exchangesCompleted: 0, exchangesLost: 0, peersReplaced: 0 };
    for (const key of Object.keys(this.#errors)) this.#errors[key] = 0;
    const start = nowMs();
    const cpuStart = process.cpuUsage();
    const spreadMs = 1000 / this.#plan.exchangesPerSecPerPeer;
    if (exchanges) {
      // Start times spread over one exchange interval, so the window opens without a burst.
      const order = this.#peers.filter((p): p is BenchPeer => p?.ready === true && !p.gone);
      order.sort(() => Math.random() - 0.5);
      order.forEach((peer, i) => {
        this.#exchanges.push({ peer, atMs: start + (i / order.length) * spreadMs });
      });
    }
    this.#measuring = true;
    this.#exchanging = exchanges;
    this.#churnPerSec = churnPerSec;
    await sleep(durationMs);
    const cpu = process.cpuUsage(cpuStart);
    this.#measuring = false;
    this.#exchanging = false;
    this.#churnPerSec = 0;
    await sleep(DRAIN_MS);
    return {
      type: 'load-done',
      ...this.#counts,
      cpuSec: (cpu.user + cpu.system) / 1e6,
      relayLatency: this.#histogram.toArray(),
      crossNodeLatency: this.#crossHistogram.toArray(),
      errors: { ...this.#errors },
    };
  }

  /** Stops the tick and drops every socket at once (terminate: no closing handshake to wait for). */
  close(): void {
    this.#closing = true;
    clearInterval(this.#tick);
    for (const peer of this.#peers) {
      if (peer === undefined) continue;
      peer.gone = true;
      peer.socket.close();
    }
  }

  // PeerEvents

  ready(peer: BenchPeer): void {
    peer.ready = true;
    this.#announces.push({ peer, atMs: nowMs() + Math.random() * this.#plan.announceIntervalMs });
    if (this.#exchanging) this.#exchanges.push({ peer, atMs: nowMs() });
  }

  relayed(latencyMs: number, crossNode: boolean): void {
    if (!this.#measuring) return;
    this.#counts.signalsRelayed += 1;
    this.#histogram.record(latencyMs);
    if (!crossNode) return;
    this.#counts.crossNodeSignals += 1;
    this.#crossHistogram.record(latencyMs);
  }

  answered(peer: BenchPeer): void {
    peer.inFlight = 0;
    if (this.#measuring) this.#counts.exchangesCompleted += 1;
    this.#scheduleNext(peer);
  }

  announced(): void {
    if (this.#measuring) this.#counts.announcesAnswered += 1;
  }

  error(kind: string): void {
    this.#errors[kind] = (this.#errors[kind] ?? 0) + 1;
  }

  #open(slot: number, settled?: (ok: boolean) => void): void {
    const index = this.#plan.firstPeer + slot;
    const swarmNo = Math.floor(index / this.#plan.swarmSize);
    const localAddress = `127.0.0.${1 + Math.floor(index / this.#plan.peersPerAddress)}`;
    const swarm = this.#plan.kind === 'swarmcast' ? `bench-${swarmNo}` : webtorrentId('s', swarmNo);
    const ports = this.#plan.ports;
    const node = index % ports.length;
    let opened = false;
    // The handlers run on later ticks (net connects asynchronously), after peer is set below.
    const socket = new RawWsClient(ports[node] ?? 0, localAddress, {
      open: () => {
        opened = true;
        this.#protocol.opened(peer);
      },
      message: (text) => {
        const wasReady = peer.ready;
        this.#protocol.received(peer, text);
        if (!wasReady && peer.ready) settled?.(true);
      },
      error: (error) => {
        this.error(`socket:${error.code ?? error.message.slice(0, 40)}`);
      },
      close: (code) => {
        if (!peer.gone && !this.#closing) this.error(`closed:${code}`);
        const wasReady = peer.ready;
        peer.gone = true;
        if (!opened || !wasReady) settled?.(false);
      },
    });
    const peer = new BenchPeer(slot, swarm, socket, node);
    this.#created += 1;
    // Unique across workers and churn generations: global index, then this worker's open count.
    if (this.#plan.kind === 'bittorrent-tracker') peer.id = webtorrentId('p', index * 10_000_000 + this.#created);
    this.#peers[slot] = peer;
  }

  #onTick(): void {
    const now = nowMs();
    const elapsedMs = this.#lastTickMs === 0 ? 0 : now - this.#lastTickMs;
    this.#lastTickMs = now;
    for (let due = this.#announces.peek(); due !== undefined && due.atMs <= now; due = this.#announces.peek()) {
      this.#announces.shift();
      if (due.peer.gone) continue;
      if (this.#plan.heartbeat === 'ping') this.#protocol.ping(due.peer);
      else this.#protocol.announce(due.peer);
      this.#announces.push({ peer: due.peer, atMs: due.atMs + this.#plan.announceIntervalMs });
    }
    while (this.#exchanging) {
      const due = this.#exchanges.peek();
      if (due === undefined || due.atMs > now) break;
      this.#exchanges.shift();
      this.#startExchange(due.peer, now);
    }
    const timeoutMs = this.#plan.exchangeTimeoutMs;
    for (let f = this.#inFlight.peek(); f !== undefined && (f.peer.inFlight !== f.seq || f.peer.exchangeStartMs + timeoutMs <= now); f = this.#inFlight.peek()) {
      this.#inFlight.shift();
      if (f.peer.inFlight !== f.seq || f.peer.gone) continue;
      f.peer.inFlight = 0;
      if (this.#measuring) this.#counts.exchangesLost += 1;
      this.#protocol.lost(f.peer);
      this.#scheduleNext(f.peer);
    }
    if (this.#churnPerSec > 0) this.#churn(elapsedMs);
  }

  #startExchange(peer: BenchPeer, now: number): void {
    if (peer.gone || peer.inFlight !== 0) return;
    peer.exchangeSeq += 1;
    peer.exchangeStartMs = now;
    if (!this.#protocol.offer(peer)) {
      // No partner known yet: ask for peers, try again one interval later.
      this.#protocol.announce(peer);
      this.#scheduleNext(peer);
      return;
    }
    peer.inFlight = peer.exchangeSeq;
    this.#inFlight.push({ peer, seq: peer.exchangeSeq });
  }

  #scheduleNext(peer: BenchPeer): void {
    if (!this.#exchanging || peer.gone) return;
    this.#exchanges.push({ peer, atMs: Math.max(nowMs(), peer.exchangeStartMs + 1000 / this.#plan.exchangesPerSecPerPeer) });
  }

  /** Closes random peers and opens new ones in their slots (same swarm, same source address). */
  #churn(elapsedMs: number): void {
    this.#churnDebt += (this.#churnPerSec * elapsedMs) / 1000;
    while (this.#churnDebt >= 1) {
      this.#churnDebt -= 1;
      const slot = Math.floor(Math.random() * this.#plan.peers);
      const old = this.#peers[slot];
      if (old !== undefined) {
        old.gone = true;
        old.socket.close();
      }
      this.#open(slot);
      if (this.#measuring) this.#counts.peersReplaced += 1;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
