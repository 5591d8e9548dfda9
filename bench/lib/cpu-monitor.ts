/**
 * CPU seconds used by the browser processes of a run: Chromium processes (by command line) living in
 * given network namespaces, sampled from /proc/<pid>/stat every second. A process counts from the
 * first sample that sees it (or the start) to the last; the < 1 s a page's process runs after the
 * last sample before it exits is lost, so the figure is a slight undercount.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { every } from '../../test/e2e/harness/schedule.js';

const SAMPLE_INTERVAL_MS = 1000;

function clockTicksPerSec(): number {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout;
  const ticks = Number(out.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
}

/** pid:starttime -> utime + stime in ticks, for every Chromium process in one of the namespaces. */
export function sampleBrowserTicks(nsIds: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!nsIds.has(readlinkSync(`/proc/${name}/ns/net`))) continue;
      if (!readFileSync(`/proc/${name}/cmdline`, 'latin1').includes('chromium')) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // Fields after "(comm)": state is field 3; utime 14, stime 15, starttime 22 (1-based).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${name}:${fields[19] ?? ''}`, Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process exited while we read it
    }
  }
  return out;
}

export interface CpuMonitor {
  /** CPU seconds since start, over all processes seen. */
  stop(): Promise<number>;
}

export function startCpuMonitor(nsIds: readonly string[]): CpuMonitor {
  const ids = new Set(nsIds);
  const ticksPerSec = clockTicksPerSec();
  const first = sampleBrowserTicks(ids);
  const last = new Map(first);
  const sample = (): void => {
    for (const [key, ticks] of sampleBrowserTicks(ids)) {
      last.set(key, ticks);
      if (!first.has(key)) first.set(key, 0);
    }
  };
  const timer = every(SAMPLE_INTERVAL_MS, () => { sample(); return Promise.resolve(); }, () => undefined);
  return {
    async stop(): Promise<number> {
      await timer.stop();
      sample();
      let ticks = 0;
      for (const [key, end] of last) ticks += end - (first.get(key) ?? 0);
      return ticks / ticksPerSec;
    },
  };
}
