/** The machine's load average (shared with other work: figures are noted with it). */
import { loadavg } from 'node:os';

export interface LoadSample {
  /** 1, 5 and 15 minute load averages. */
  readonly loadavg: readonly [number, number, number];
  readonly atIso: string;
}

export function loadSample(): LoadSample {
  const [a = 0, b = 0, c = 0] = loadavg();
  const r = (v: number): number => Math.round(v * 100) / 100;
  return { loadavg: [r(a), r(b), r(c)], atIso: new Date().toISOString() };
}
