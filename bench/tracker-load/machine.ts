/** The machine and the run, recorded with the figures. */
import { cpus, loadavg, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { canPin } from './child-process.js';

export interface RunContext {
  readonly date: string;
  readonly command: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memGiB: number;
    readonly node: string;
    readonly os: string;
    readonly openFileLimit: number;
    readonly pinned: string;
    /** Extra Node flags given to the tracker process (TRACKER_BENCH_NODE_ARGS), '' for none. */
    readonly trackerNodeArgs: string;
    /** Swarmcast's WebSocket layer (TRACKER_BENCH_WS_LAYER: 'lite', the default, or 'ws'). */
    readonly trackerWebSocketLayer: string;
    /** Load average when the run started: the machine is shared, this says how busy it was. */
    readonly loadAverage1m: number;
  };
}

export function runContext(argv: readonly string[], openFileLimit: number, pin: boolean): RunContext {
  const list = cpus();
  let os = `Linux ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty !== undefined) os = `${pretty}, ${os}`;
  } catch {
    // Not Linux, or no os-release: the kernel release will do.
  }
  return {
    date: new Date().toISOString(),
    command: `npm run bench:tracker -- ${argv.join(' ')}`.trim(),
    machine: {
      cpus: list.length,
      cpuModel: list[0]?.model.trim() ?? 'unknown',
      memGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      os,
      openFileLimit,
      pinned: pin && canPin() ? 'tracker on CPU 0, load workers on CPU 1 (taskset)' : 'not pinned',
      trackerNodeArgs: process.env.TRACKER_BENCH_NODE_ARGS ?? '',
      trackerWebSocketLayer: process.env.TRACKER_BENCH_WS_LAYER ?? 'lite',
      loadAverage1m: loadavg()[0] ?? 0,
    },
  };
}
