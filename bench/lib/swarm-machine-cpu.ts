/**
 * The whole machine's CPU use during a run (from /proc/stat), so a run's figures can be read
 * against what else was running: on a shared machine, peers short of CPU stall whatever the engine does.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface MachineCpu {
  /** Cores' worth of CPU the machine used over the run (all processes, ours included). */
  readonly busyCores: number;
  readonly cores: number;
  readonly wallSec: number;
}

function ticks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** Starts measuring; call the returned function at the end. */
export function startMachineCpu(): () => MachineCpu {
  const start = ticks();
  const startMs = performance.now();
  return () => {
    const end = ticks();
    const cores = cpus().length;
    const total = end.total - start.total;
    const busyShare = total > 0 ? (end.busy - start.busy) / total : 0;
    return { busyCores: Math.round(busyShare * cores * 100) / 100, cores, wallSec: Math.round((performance.now() - startMs) / 100) / 10 };
  };
}
