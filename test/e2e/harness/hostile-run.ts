/**
 * The hostile-peer scenario shared by test/e2e/hostile-peers.test.ts and bench/hostile.ts: N honest
 * viewer pages play the live stream in one swarm; then the attacks run one after another, each as
 * a fresh hostile page for a fixed window. Windows do not overlap, so every figure of a window
 * (stalls, P2P share, bad segments, cut-offs) belongs to one attack; between windows the swarm
 * gets a few seconds to settle. The origin's copy of every segment played is hashed as it goes.
 */
import type { Browser, Page } from 'playwright-core';
import type { ViewerReport } from '@swarmcast/web';
import type { AttackName, HostileReport } from '../hostile/hostile-report.js';
import { closeAll } from './close-all.js';
import { victimOutcomes, verificationFigures, windowFigures } from './hostile-figures.js';
import type { VerificationFigures, VictimOutcome, WindowFigures } from './hostile-figures.js';
import { openHostile } from './hostile-page.js';
import { OriginHashes } from './origin-hashes.js';
import type { SegmentCheck } from './origin-hashes.js';
import { every, sleep } from './schedule.js';
import type { Stack } from './stack.js';
import { openViewer } from './viewer.js';
import type { ViewerHandle } from './viewer.js';

/** Between two viewers joining. */
const JOIN_GAP_MS = 1_000;
/** The swarm must be playing and fully connected within this long before the first attack. */
const READY_TIMEOUT_MS = 45_000;
/** After every viewer plays with all its peers, this long more before the first attack. */
const SETTLE_MS = 6_000;
/** Between attack windows. */
const GAP_MS = 4_000;
const HASH_POLL_INTERVAL_MS = 2_000;

export interface HostileScenarioOptions {
  readonly browser: Browser;
  readonly stack: Stack;
  /** Honest viewers. */
  readonly viewers: number;
  readonly attacks: readonly AttackName[];
  /** How long each attack window lasts. */
  readonly attackMs: (attack: AttackName) => number;
  /** Progress, one line per step and per attack. */
  readonly log?: (line: string) => void;
  /** Errors and warnings the pages print. */
  readonly pageLog?: (line: string) => void;
}

export interface AttackRun {
  readonly attack: AttackName;
  readonly windowMs: number;
  readonly hostile: HostileReport;
  readonly outcomes: readonly VictimOutcome[];
  readonly window: WindowFigures;
  /** The viewers' reports at the window's end. */
  readonly reports: readonly ViewerReport[];
  /**
   * Largest difference between the pages' epoch clocks (performance.timeOrigin + now() - Date.now()),
   * hostile page included: how far apart the two ends of a cut-off time can be.
   */
  readonly clockSpreadMs: number;
}

export interface HostileScenarioResult {
  readonly runs: readonly AttackRun[];
  /** The viewers' reports at the end of the whole run. */
  readonly reports: readonly ViewerReport[];
  /** Every segment every viewer played, checked against the origin. */
  readonly check: SegmentCheck;
  readonly verification: VerificationFigures;
}

export async function runHostileScenario(options: HostileScenarioOptions): Promise<HostileScenarioResult> {
  const { browser, stack, log, pageLog } = options;
  const { origin, tracker } = stack;
  const src = origin.liveMasterUrl;
  const hashes = new OriginHashes(origin, 'live');
  const handles: ViewerHandle[] = [];
  const readAll = async (): Promise<ViewerReport[]> => Promise.all(handles.map((h) => h.report()));
  const pages = (): Page[] => handles.map((h) => h.page);
  const hashPoll = every(
    HASH_POLL_INTERVAL_MS,
    async () => { await hashes.add((await readAll()).flatMap((r) => r.segments.map((s) => s.sn))); },
    (error) => { log?.(`hash poll failed: ${String(error)}`); },
  );
  try {
    for (let i = 0; i < options.viewers; i++) {
      if (i > 0) await sleep(JOIN_GAP_MS);
      const onConsole = pageLog ? (line: string): void => { pageLog(`viewer#${i} ${line}`); } : undefined;
      handles.push(await openViewer(browser, { src, tracker: tracker.url, p2p: true, ...(onConsole ? { onConsole } : {}) }));
    }
    await waitUntilReady(readAll, options.viewers);
    log?.('swarm ready');
    await sleep(SETTLE_MS);
    const runs: AttackRun[] = [];
    for (const attack of options.attacks) {
      runs.push(await runAttack(attack, options, { readAll, pages }, hashes));
      await sleep(GAP_MS);
    }
    const reports = await readAll();
    await hashes.add(reports.flatMap((r) => r.segments.map((s) => s.sn)));
    return { runs, reports, check: hashes.check(reports), verification: verificationFigures(reports) };
  } finally {
    await hashPoll.stop();
    await closeAll(handles.map((h) => () => h.close()));
  }
}

async function runAttack(
  attack: AttackName,
  options: HostileScenarioOptions,
  viewers: { readAll: () => Promise<ViewerReport[]>; pages: () => Page[] },
  hashes: OriginHashes,
): Promise<AttackRun> {
  const { browser, stack, log, pageLog } = options;
  const { readAll } = viewers;
  const before = await readAll();
  const startedAt = performance.now();
  const onConsole = pageLog ? (line: string): void => { pageLog(`${attack} ${line}`); } : undefined;
  const hostile = await openHostile(browser, { src: stack.origin.liveMasterUrl, tracker: stack.tracker.url, attack, ...(onConsole ? { onConsole } : {}) });
  log?.(`${attack}: hostile page joined`);
  let hostileReport: HostileReport;
  let after: ViewerReport[];
  let clockSpreadMs: number;
  try {
    clockSpreadMs = await clockSpread([hostile.page, ...viewers.pages()]);
    await sleep(startedAt + options.attackMs(attack) - performance.now());
    hostileReport = await hostile.report();
    after = await readAll();
  } finally {
    await hostile.close();
  }
  const windowMs = performance.now() - startedAt;
  await hashes.add(after.flatMap((r) => r.segments.map((s) => s.sn)));
  const outcomes = victimOutcomes(hostileReport, after);
  const window = windowFigures(before, after, (sn) => hashes.get(sn));
  log?.(`${attack}: ${describeOutcomes(outcomes)}`);
  for (const error of hostileReport.errors.slice(0, 5)) log?.(`${attack}: hostile page error: ${error}`);
  return { attack, windowMs, hostile: hostileReport, outcomes, window, reports: after, clockSpreadMs };
}

/** Spread of (epoch clock - Date.now()) over pages, each read in one evaluate. */
async function clockSpread(pages: readonly Page[]): Promise<number> {
  const offsets = await Promise.all(
    pages.map((page) =>
      page.evaluate(() => {
        const before = Date.now();
        const epoch = performance.timeOrigin + performance.now();
        return epoch - (before + Date.now()) / 2;
      }),
    ),
  );
  return Math.max(...offsets) - Math.min(...offsets);
}

async function waitUntilReady(readAll: () => Promise<ViewerReport[]>, viewers: number): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    const reports = await readAll();
    if (reports.every((r) => r.startupMs !== null && r.peers >= viewers - 1 && r.peerId !== null)) return;
    if (performance.now() > deadline) {
      const state = reports.map((r, i) => `viewer#${i} startup=${r.startupMs ?? 'never'} peers=${r.peers}`).join(', ');
      throw new Error(`the honest swarm was not ready in ${READY_TIMEOUT_MS} ms: ${state}`);
    }
    await sleep(500);
  }
}

/** One line per victim: `viewer#1 silent: 1503 ms (protocol violation: ...)`. */
export function describeOutcomes(outcomes: readonly VictimOutcome[]): string {
  if (outcomes.length === 0) return 'no connection to any viewer';
  return outcomes
    .map((o) => {
      const who = `viewer#${o.viewer ?? '?'} ${o.variant}`;
      if (o.firstBadAtMs === null) return `${who}: not attacked`;
      return `${who}: ${o.cutOffMs === null ? 'NOT CUT OFF' : `${Math.round(o.cutOffMs)} ms`} (${o.firstBad ?? ''} -> ${o.cutOffReason ?? '-'})`;
    })
    .join('; ');
}
