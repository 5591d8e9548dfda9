/**
 * `npm run bench:startup -- [--residents N] [--rounds R] [--watch S] [--mode live|vod] [--json FILE]`
 *
 * What joining a swarm costs a starting player. N Swarmcast viewers play the stream; then, R rounds
 * in turn, one more viewer opens, plays S seconds and leaves, in three variants: Swarmcast joining
 * the swarm once its first fragment is buffered (the default, EngineConfig.maxJoinDelayMs),
 * Swarmcast joining at once (`joinDelay=0`), and plain hls.js (the baseline). Reports each variant's
 * startup (mean, median, max), stalls and P2P share in its window, and the startup deltas against
 * the baseline measured in the same run. Runs inside a loopback-only network namespace.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ViewerReport } from '@swarmcast/web';
import { machineInfo } from './lib/machine.js';
import { loadSample } from './lib/load.js';
import { max, mean } from './lib/stats.js';
import { parseStartupBenchArgs } from './lib/startup-args.js';
import type { StartupBenchArgs } from './lib/startup-args.js';
import { warmUp } from './lib/warm-up.js';
import { assertChromiumInstalled, launchBrowser } from '../test/e2e/harness/browser.js';
import { closeAll } from '../test/e2e/harness/close-all.js';
import { sleep } from '../test/e2e/harness/schedule.js';
import { startStack } from '../test/e2e/harness/stack.js';
import { assertViewerBuilt, openViewer } from '../test/e2e/harness/viewer.js';
import type { ViewerHandle } from '../test/e2e/harness/viewer.js';

/** Residents open this far apart, then play this long before the first joiner. */
const RESIDENT_GAP_MS = 1_000;
const RESIDENT_SETTLE_MS = 6_000;

interface Variant {
  readonly name: 'joinAfterFirstFragment' | 'joinAtOnce' | 'plain';
  readonly p2p: boolean;
  readonly joinDelayMs?: number;
}
const VARIANTS: readonly Variant[] = [
  { name: 'joinAfterFirstFragment', p2p: true },
  { name: 'joinAtOnce', p2p: true, joinDelayMs: 0 },
  { name: 'plain', p2p: false },
];

interface VariantFigures {
  /** null when no joiner of the variant started. */
  readonly startupMs: { readonly mean: number | null; readonly median: number | null; readonly max: number | null; readonly all: readonly number[] };
  readonly stalls: number;
  readonly stalledMs: number;
  readonly p2pShare: number;
  readonly joinDelayMs: { readonly mean: number | null };
  /** Joiners that never started playing within the window (counted out of the startup figures). */
  readonly neverStarted: number;
}

let args: StartupBenchArgs;
try {
  args = parseStartupBenchArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
assertChromiumInstalled();
assertViewerBuilt();

const log = (line: string): void => { console.error(`[bench] ${line}`); };
const launched = await launchBrowser();
const stack = await startStack({ liveSource: 'loop' });
const residents: ViewerHandle[] = [];
try {
  const src = args.mode === 'vod' ? stack.origin.vodMasterUrl : stack.origin.liveMasterUrl;
  const tracker = stack.tracker.url;
  await warmUp(launched.browser, stack.origin.liveMasterUrl, tracker);
  const loadAtStart = loadSample();
  log(`${args.residents} resident viewers (${args.mode}), then ${args.rounds} rounds of ${VARIANTS.map((v) => v.name).join(', ')}, ${args.watchSec} s each`);
  for (let i = 0; i < args.residents; i++) {
    residents.push(await openViewer(launched.browser, { src, tracker, p2p: true }));
    await sleep(RESIDENT_GAP_MS);
  }
  await sleep(RESIDENT_SETTLE_MS);
  const reports = new Map<Variant['name'], ViewerReport[]>(VARIANTS.map((v) => [v.name, []]));
  for (let round = 0; round < args.rounds; round++) {
    for (const variant of VARIANTS) {
      const joiner = await openViewer(launched.browser, { src, tracker, p2p: variant.p2p, ...(variant.joinDelayMs === undefined ? {} : { joinDelayMs: variant.joinDelayMs }) });
      try {
        await sleep(args.watchSec * 1000);
        const report = await joiner.report();
        reports.get(variant.name)?.push(report);
        log(`round ${round + 1} ${variant.name}: startup ${String(report.startupMs)} ms, stalls ${report.stalls}, joined after ${String(report.joinDelayMs ?? '-')} ms`);
      } finally {
        await joiner.close();
      }
    }
  }
  const variants = Object.fromEntries(VARIANTS.map((v) => [v.name, figures(reports.get(v.name) ?? [])])) as Record<Variant['name'], VariantFigures>;
  const plain = variants.plain.startupMs;
  const delta = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);
  const ratios = {
    startupDeltaMs: { joinAfterFirstFragment: delta(variants.joinAfterFirstFragment.startupMs.mean, plain.mean), joinAtOnce: delta(variants.joinAtOnce.startupMs.mean, plain.mean) },
    startupMedianDeltaMs: { joinAfterFirstFragment: delta(variants.joinAfterFirstFragment.startupMs.median, plain.median), joinAtOnce: delta(variants.joinAtOnce.startupMs.median, plain.median) },
  };
  const result = {
    date: new Date().toISOString(),
    machine: { ...machineInfo(launched.version), loadAtStart, loadAtEnd: loadSample() },
    params: { residents: args.residents, rounds: args.rounds, watchSec: args.watchSec, mode: args.mode },
    variants,
    ratios,
  };
  printSummary(variants, ratios);
  const file = resolve(args.jsonFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`JSON: ${file}`);
} finally {
  await closeAll([...residents.map((r) => () => r.close()), () => launched.close(), () => stack.close()]);
}

function figures(reports: readonly ViewerReport[]): VariantFigures {
  const started = reports.flatMap((r) => (r.startupMs === null ? [] : [r.startupMs]));
  const sorted = [...started].sort((a, b) => a - b);
  const roundedMean = (xs: readonly number[]): number | null => {
    const m = mean(xs);
    return m === null ? null : Math.round(m);
  };
  const p2pBytes = reports.reduce((a, r) => a + r.p2pBytes, 0);
  const httpBytes = reports.reduce((a, r) => a + r.httpBytes, 0);
  const joins = reports.flatMap((r) => (r.joinDelayMs === undefined || r.joinDelayMs === null ? [] : [r.joinDelayMs]));
  return {
    startupMs: { mean: roundedMean(started), median: sorted[Math.floor((sorted.length - 1) / 2)] ?? null, max: max(started), all: started },
    stalls: reports.reduce((a, r) => a + r.stalls, 0),
    stalledMs: reports.reduce((a, r) => a + r.stalledMs, 0),
    p2pShare: p2pBytes + httpBytes === 0 ? 0 : Math.round((p2pBytes / (p2pBytes + httpBytes)) * 1000) / 1000,
    joinDelayMs: { mean: roundedMean(joins) },
    neverStarted: reports.length - started.length,
  };
}

function printSummary(variants: Record<Variant['name'], VariantFigures>, ratios: { startupDeltaMs: Record<string, number | null>; startupMedianDeltaMs: Record<string, number | null> }): void {
  const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : String(v));
  const rows = VARIANTS.map((v) => {
    const f = variants[v.name];
    const vsPlain = v.name === 'plain' ? '' : `${ms(ratios.startupDeltaMs[v.name])} / ${ms(ratios.startupMedianDeltaMs[v.name])}`;
    return [v.name, `${ms(f.startupMs.mean)} / ${ms(f.startupMs.median)} / ${ms(f.startupMs.max)}`, vsPlain, `${f.stalls} (${f.stalledMs} ms)`, `${(f.p2pShare * 100).toFixed(1)} %`, ms(f.joinDelayMs.mean)];
  });
  const header = ['variant', 'startup mean / median / max ms', 'vs plain (mean / median)', 'stalls', 'P2P share', 'joined after ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
}
