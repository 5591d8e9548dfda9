/**
 * A bench:swarm peer process (forked by swarm-processes.ts with an IPC channel): runs the
 * SwarmPlayers of its StartMessage, each joining at its time and leaving after playMs, sends a
 * progress line every PROGRESS_INTERVAL_MS and one result when all have left (or on 'stop'), then
 * exits. It exits too when the IPC channel closes (the parent died), on SIGINT/SIGTERM, and at the
 * latest when its hard time bound passes.
 */
import { asParentMessage, type ChildMessage, type StartMessage } from './swarm-messages.js';
import type { PeerFigures } from './swarm-peer-figures.js';
import { LoopHolds } from './swarm-loop-holds.js';
import { SwarmPlayer } from './swarm-player.js';
import { ProcessSampler } from './swarm-process-sampler.js';

const PROGRESS_INTERVAL_MS = 10_000;
/** Beyond its last peer's planned end, the process gives up and exits. */
const HARD_BOUND_MARGIN_MS = 90_000;
/** Stopping every player (engine.destroy closes its connections) must not take longer than this. */
const STOP_TIMEOUT_MS = 15_000;

const sampler = new ProcessSampler('peers');
const holds = new LoopHolds();
const players = new Map<number, SwarmPlayer>();
const joinTimers = new Set<ReturnType<typeof setTimeout>>();
const results: PeerFigures[] = [];
const segmentSizes = new Map<number, number>();
let progressTimer: ReturnType<typeof setInterval> | undefined;
let hardBound: ReturnType<typeof setTimeout> | undefined;
let finishing: Promise<void> | undefined;
let joined = 0;

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) { resolve(); return; }
    process.send?.(message, undefined, {}, () => { resolve(); });
  });
}

function clearTimers(): void {
  for (const t of joinTimers) clearTimeout(t);
  joinTimers.clear();
  clearInterval(progressTimer);
  clearTimeout(hardBound);
  holds.stop();
}

async function stopPlayer(i: number, player: SwarmPlayer): Promise<void> {
  results.push(await player.stop());
  players.delete(i);
}

/** Stops everything; reports unless the parent is gone; exits. */
function finish(report: boolean, code: number): Promise<void> {
  finishing ??= (async () => {
    clearTimers();
    const stopping = Promise.all([...players].map(([i, p]) => stopPlayer(i, p)));
    await Promise.race([stopping, new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())]);
    if (report) {
      results.sort((a, b) => a.i - b.i);
      await send({ type: 'result', peers: results, segmentSizes: [...segmentSizes], process: sampler.stop(results.length) });
    }
    if (process.connected) process.disconnect();
    process.exit(code);
  })();
  return finishing;
}

function run(start: StartMessage): void {
  const lastEndMs = Math.max(0, ...start.peers.map((p) => p.joinAtMs)) + start.playMs;
  hardBound = setTimeout(() => { void finish(true, 1); }, lastEndMs + HARD_BOUND_MARGIN_MS);
  let pending = start.peers.length;
  const options = {
    masterUrl: start.masterUrl,
    trackerUrl: start.trackerUrl,
    engine: { maxPeers: start.maxPeers, minPeers: start.minPeers },
    liveSyncSegments: start.liveSyncSegments,
    holds,
  };
  for (const { i, joinAtMs } of start.peers) {
    const timer = setTimeout(() => {
      joinTimers.delete(timer);
      const player = new SwarmPlayer(i, options, (sn, bytes) => segmentSizes.set(sn, bytes));
      players.set(i, player);
      joined += 1;
      player.start();
      const leave = setTimeout(() => {
        joinTimers.delete(leave);
        void stopPlayer(i, player).then(() => {
          pending -= 1;
          if (pending === 0) void finish(true, 0);
        });
      }, start.playMs);
      joinTimers.add(leave);
    }, joinAtMs);
    joinTimers.add(timer);
  }
  progressTimer = setInterval(() => {
    let p2pBytes = results.reduce((a, r) => a + r.p2pBytes, 0);
    let httpBytes = results.reduce((a, r) => a + r.httpBytes, 0);
    for (const p of players.values()) {
      const s = p.engineStats();
      p2pBytes += s.p2pBytes;
      httpBytes += s.httpBytes;
    }
    void send({ type: 'progress', joined, finished: results.length, p2pBytes, httpBytes });
  }, PROGRESS_INTERVAL_MS);
}

process.on('message', (raw) => {
  const message = asParentMessage(raw);
  if (message?.type === 'start' && hardBound === undefined) run(message);
  else if (message?.type === 'stop') void finish(true, 0);
});
// The parent died or closed the channel: nobody to report to.
process.on('disconnect', () => { void finish(false, 1); });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { void finish(false, 130); });
if (!process.connected) process.exit(2);
void send({ type: 'ready' });
