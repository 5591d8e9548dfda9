/**
 * What a bench:swarm process costs: CPU seconds (process.cpuUsage, every thread, native ones
 * included), peak resident memory, threads and open file descriptors, sampled every second.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface ProcessFigures {
  readonly pid: number;
  /** 'servers' (origin + tracker + the bench) or 'peers'. */
  readonly role: 'servers' | 'peers';
  /** Peers it ran. */
  readonly peers: number;
  /** User + system CPU time since the sampler started, s. */
  readonly cpuSec: number;
  /** Peak resident set size, bytes. */
  readonly rssBytes: number;
  /** Peak thread count (node-datachannel adds its own). */
  readonly threadsMax: number;
  /** Peak open file descriptors (each WebRTC connection holds a UDP socket). */
  readonly fdsMax: number;
  /**
   * Event loop delay, ms: how late its timers and callbacks ran. High values mean the process
   * was short of CPU (the machine is shared), and every peer in it with it.
   */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

const SAMPLE_INTERVAL_MS = 1_000;

function threads(): number {
  try {
    const match = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return match?.[1] === undefined ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

function fds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

export class ProcessSampler {
  private readonly cpuStart = process.cpuUsage();
  private rssMax = 0;
  private threadsMax = 0;
  private fdsMax = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly role: ProcessFigures['role']) {
    this.loopDelay.enable();
    this.sample();
    this.timer = setInterval(() => { this.sample(); }, SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Figures so far; stops sampling. */
  stop(peers: number): ProcessFigures {
    clearInterval(this.timer);
    this.loopDelay.disable();
    this.sample();
    const ms = (ns: number): number => Math.round(ns / 1e6);
    const cpu = process.cpuUsage(this.cpuStart);
    return {
      pid: process.pid,
      role: this.role,
      peers,
      cpuSec: Math.round((cpu.user + cpu.system) / 10_000) / 100,
      rssBytes: this.rssMax,
      threadsMax: this.threadsMax,
      fdsMax: this.fdsMax,
      eventLoopDelayMs: { p50: ms(this.loopDelay.percentile(50)), p99: ms(this.loopDelay.percentile(99)), max: ms(this.loopDelay.max) },
    };
  }

  private sample(): void {
    this.rssMax = Math.max(this.rssMax, process.memoryUsage.rss());
    this.threadsMax = Math.max(this.threadsMax, threads());
    this.fdsMax = Math.max(this.fdsMax, fds());
  }
}
