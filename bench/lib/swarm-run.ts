/**
 * One bench:swarm run: the origin (live loop) and the tracker (integrity authority signing the
 * stream, integrity required by the peers) in this process, N simulated players dealt round-robin
 * over P peer processes, joining evenly over the join spread and each playing durationSec; then the
 * swarm's figures. Everything started here is closed before it returns or throws; close() of the
 * returned handle does it from a signal handler too.
 */
import { startStack, type Stack } from '../../test/e2e/harness/stack.js';
import { joinOffsetMs } from '../../test/e2e/harness/schedule.js';
import type { SwarmParams } from './swarm-args.js';
import { swarmFigures, type SwarmFigures } from './swarm-figures.js';
import type { PeerFigures } from './swarm-peer-figures.js';
import { startMachineCpu } from './swarm-machine-cpu.js';
import { ProcessSampler } from './swarm-process-sampler.js';
import { SwarmChild, type ChildResult } from './swarm-processes.js';

/** A peer process must report within this after its last peer's planned end. */
const RESULT_MARGIN_MS = 60_000;
const PROGRESS_LOG_INTERVAL_MS = 15_000;

export interface SwarmRun {
  /** Resolves with the figures once every process has reported and everything is closed. */
  readonly figures: Promise<SwarmFigures>;
  /** Kills the peer processes and closes the servers (for SIGINT/SIGTERM); idempotent. */
  close(): Promise<void>;
}

export interface SwarmRunOptions {
  /** Peer processes write V8 CPU profiles into this directory (see SwarmChild). */
  readonly cpuProfDir?: string;
}

export function startSwarmRun(params: SwarmParams, log: (line: string) => void, options: SwarmRunOptions = {}): SwarmRun {
  const children: SwarmChild[] = [];
  let stack: Stack | undefined;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      await Promise.allSettled(children.map((c) => c.close()));
      await stack?.close();
    })();
    return closed;
  };
  const run = async (): Promise<SwarmFigures> => {
    const sampler = new ProcessSampler('servers');
    stack = await startStack({ liveSource: 'loop' });
    for (let p = 0; p < params.processes; p++) children.push(new SwarmChild(p, options.cpuProfDir));
    await Promise.all(children.map((c) => c.whenReady()));
    log(`${children.length} peer processes ready (pids ${children.map((c) => c.pid ?? '?').join(' ')})`);
    const spreadMs = params.joinSpreadSec * 1000;
    const playMs = params.durationSec * 1000;
    stack.origin.resetStats();
    const startedAt = performance.now();
    const machineCpu = startMachineCpu();
    children.forEach((child, p) => {
      const peers = [];
      for (let i = p; i < params.peers; i += params.processes) peers.push({ i, joinAtMs: joinOffsetMs(i, params.peers, spreadMs) });
      child.start({
        type: 'start',
        masterUrl: stack?.origin.liveMasterUrl ?? '',
        trackerUrl: stack?.tracker.url ?? '',
        peers,
        playMs,
        maxPeers: params.maxPeers,
        minPeers: params.minPeers,
        liveSyncSegments: params.liveSyncSegments,
      });
    });
    const progress = setInterval(() => {
      const ps = children.flatMap((c) => (c.latestProgress ? [c.latestProgress] : []));
      const sum = (f: (p: (typeof ps)[number]) => number): number => ps.reduce((a, p) => a + f(p), 0);
      const bytes = sum((p) => p.p2pBytes + p.httpBytes);
      const share = bytes > 0 ? Math.round((100 * sum((p) => p.p2pBytes)) / bytes) : 0;
      log(`${Math.round((performance.now() - startedAt) / 1000)} s: ${sum((p) => p.joined)} joined, ${sum((p) => p.finished)} done, p2p ${share} %`);
    }, PROGRESS_LOG_INTERVAL_MS);
    let results: ChildResult[];
    try {
      results = await Promise.all(children.map((c) => c.result(spreadMs + playMs + RESULT_MARGIN_MS)));
    } finally {
      clearInterval(progress);
    }
    const machine = machineCpu();
    const segmentBytesFromOrigin = stack.origin.stats().segmentBytes;
    const segmentSizes = new Map<number, number>();
    const perPeer: PeerFigures[] = [];
    for (const r of results) {
      for (const [sn, bytes] of r.segmentSizes) segmentSizes.set(sn, bytes);
      perPeer.push(...r.peers);
    }
    perPeer.sort((a, b) => a.i - b.i);
    await close();
    return swarmFigures({
      peers: params.peers,
      durationSec: params.durationSec,
      perPeer,
      segmentSizes,
      segmentBytesFromOrigin,
      servers: sampler.stop(0),
      children: results.map((r) => r.process),
      machineCpu: machine,
    });
  };
  const figures = run().finally(close);
  return { figures, close };
}
