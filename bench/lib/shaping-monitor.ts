/**
 * Evidence that constrained mode's upload cap was in effect: each viewer's upload (tx bytes of its
 * eth0, from /proc/<holder>/net/dev) sampled every second, and its tbf counters (`tc -s -j qdisc`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { every } from '../../test/e2e/harness/schedule.js';
import type { ViewerSlot } from './netns-testbed.js';

const SAMPLE_INTERVAL_MS = 1000;
/** Rates are measured over this many seconds (tbf's burst is negligible over it). */
export const RATE_WINDOW_SEC = 2;

export interface ShapingFigures {
  /** Per viewer slot: the largest upload rate over any RATE_WINDOW_SEC window, kbit/s. */
  readonly maxUploadKbps: readonly number[];
  /** Per viewer slot: upload bytes / run time, kbit/s. */
  readonly meanUploadKbps: readonly number[];
  /** Summed over the viewer-side root qdiscs during the run. */
  readonly qdisc: { readonly sentBytes: number; readonly drops: number; readonly overlimits: number };
}

/** Bytes sent by eth0, from a /proc/<pid>/net/dev file (columns: 8 receive counters, then transmit bytes). */
export function readTxBytes(procNetDev: string): number {
  for (const line of readFileSync(procNetDev, 'utf8').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (name?.trim() === 'eth0' && rest !== undefined) return Number(rest.trim().split(/\s+/)[8]);
  }
  return 0;
}

interface QdiscStats { bytes?: number; drops?: number; overlimits?: number; root?: boolean }

function readQdisc(slot: ViewerSlot): { sentBytes: number; drops: number; overlimits: number } {
  const r = spawnSync('nsenter', [`--net=${slot.nsPath}`, '--', 'tc', '-s', '-j', 'qdisc', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
  const list = JSON.parse(r.stdout || '[]') as QdiscStats[];
  const root = list.find((q) => q.root === true) ?? list[0] ?? {};
  return { sentBytes: root.bytes ?? 0, drops: root.drops ?? 0, overlimits: root.overlimits ?? 0 };
}

/** A byte counter read at a time (s). */
export interface CounterSample {
  readonly atSec: number;
  readonly bytes: number;
}

/** The largest rate in kbit/s between two samples at least windowSec apart (the closest such pair per end). */
export function maxWindowKbps(samples: readonly CounterSample[], windowSec: number): number {
  let best = 0;
  let j = 0;
  for (const end of samples) {
    while (j + 1 < samples.length && end.atSec - (samples[j + 1]?.atSec ?? Infinity) >= windowSec) j++;
    const start = samples[j];
    if (start === undefined || end.atSec - start.atSec < windowSec) continue;
    best = Math.max(best, ((end.bytes - start.bytes) * 8) / 1000 / (end.atSec - start.atSec));
  }
  return Math.round(best);
}

export function startShapingMonitor(slots: readonly ViewerSlot[]): { stop(): Promise<ShapingFigures> } {
  const series: CounterSample[][] = slots.map(() => []);
  const startedAt = performance.now();
  const qdiscStart = slots.map(readQdisc);
  const sample = (): void => {
    const atSec = (performance.now() - startedAt) / 1000;
    slots.forEach((s, i) => series[i]?.push({ atSec, bytes: readTxBytes(s.procNetDev) }));
  };
  sample();
  const timer = every(SAMPLE_INTERVAL_MS, () => { sample(); return Promise.resolve(); }, () => undefined);
  return {
    async stop(): Promise<ShapingFigures> {
      await timer.stop();
      sample();
      const sec = (performance.now() - startedAt) / 1000;
      const qdiscEnd = slots.map(readQdisc);
      const diff = (k: 'sentBytes' | 'drops' | 'overlimits'): number => qdiscEnd.reduce((sum, q, i) => sum + q[k] - (qdiscStart[i]?.[k] ?? 0), 0);
      return {
        maxUploadKbps: series.map((s) => maxWindowKbps(s, RATE_WINDOW_SEC)),
        meanUploadKbps: series.map((s) => Math.round((((s.at(-1)?.bytes ?? 0) - (s[0]?.bytes ?? 0)) * 8) / 1000 / sec)),
        qdisc: { sentBytes: diff('sentBytes'), drops: diff('drops'), overlimits: diff('overlimits') },
      };
    },
  };
}
