/**
 * Where startup went, over a run's viewers: the mean of each step of the pages' startup timelines
 * (ms since hls.js attach; the page's own load before it, since navigation start).
 */
import type { StartupTimeline } from '@swarmcast/web';
import { mean } from './stats.js';

export type StartupSteps = { readonly [K in keyof StartupTimeline]: number | null } & { readonly viewers: number };

const STEPS: readonly (keyof StartupTimeline)[] = [
  'scriptStartMs', 'manifestLoadedMs', 'levelLoadedMs', 'firstFragRequestMs', 'firstFragLoadedMs',
  'firstFragBufferedMs', 'secondFragRequestMs', 'secondFragLoadedMs', 'playingMs',
];

/** Means over the viewers that reported a timeline; each step over those that reached it. */
export function startupSteps(timelines: readonly (StartupTimeline | undefined)[]): StartupSteps {
  const present = timelines.filter((t): t is StartupTimeline => t !== undefined);
  const entries = STEPS.map((step) => {
    const values = present.map((t) => t[step]).filter((v): v is number => v !== null);
    const m = mean(values);
    return [step, m === null ? null : Math.round(m)] as const;
  });
  return { ...(Object.fromEntries(entries) as { [K in keyof StartupTimeline]: number | null }), viewers: present.length };
}

/** One line: each step's mean, and what it added to the one before it. */
export function formatStartupSteps(label: string, steps: StartupSteps): string {
  const part = (name: string, v: number | null): string => `${name} ${v === null ? '–' : String(v)}`;
  return `${label}: startup steps, mean ms since attach over ${String(steps.viewers)} viewers (page script ${steps.scriptStartMs === null ? '–' : String(steps.scriptStartMs)} ms after navigation): ` +
    [
      part('manifest', steps.manifestLoadedMs),
      part('playlist', steps.levelLoadedMs),
      part('1st frag asked', steps.firstFragRequestMs),
      part('loaded', steps.firstFragLoadedMs),
      part('buffered', steps.firstFragBufferedMs),
      part('2nd asked', steps.secondFragRequestMs),
      part('loaded', steps.secondFragLoadedMs),
      part('playing', steps.playingMs),
    ].join(', ');
}
