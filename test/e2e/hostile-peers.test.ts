/**
 * Hostile peers in real Chromium: 3 honest viewers play the live stream in one swarm (integrity
 * required, the tracker signing every segment), and a hostile page (test/e2e/hostile/) joins it
 * four times in turn, 40 s each: corrupt, wrongSequence, falseHave, flood. The attacks run one
 * after another rather than together so that every stall, every byte from a peer and every
 * segment played belongs to one attack, and so that the swarm is seen to recover each time.
 *
 * For each attack: every honest viewer was attacked and cut the attacker off within one segment
 * duration (2 s) of the first bad byte or message (both pages stamp events on the browser's
 * shared epoch clock); no honest viewer stalled; each still got segments from the other honest
 * viewers; every segment any player was handed is byte-identical to the origin's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertChromiumInstalled, launchBrowser } from './harness/browser.js';
import type { LaunchedBrowser } from './harness/browser.js';
import { attacked, SEGMENT_DURATION_MS } from './harness/hostile-figures.js';
import { assertHostileBuilt } from './harness/hostile-page.js';
import { describeOutcomes, runHostileScenario } from './harness/hostile-run.js';
import type { AttackRun } from './harness/hostile-run.js';
import { startStack } from './harness/stack.js';
import type { Stack } from './harness/stack.js';
import { describeReports } from './harness/swarm-assertions.js';
import { assertViewerBuilt } from './harness/viewer.js';
import { FLOOD_KINDS } from './hostile/flood.js';
import { ATTACKS } from './hostile/hostile-report.js';
import type { AttackName } from './hostile/hostile-report.js';

const VIEWERS = 3;
const ATTACK_MS = 40_000;
/** Two pages' epoch clocks may differ by this much and the cut-off times still mean something. */
const MAX_CLOCK_SPREAD_MS = 20;

/** How each attack must be cut off. */
const EXPECTED_REASON: Record<AttackName, RegExp> = {
  corrupt: /^integrity violation: bytes of \S+ do not match the signed record$/,
  wrongSequence: /^integrity violation: bytes of \S+ do not match the signed record$/,
  falseHave: /^protocol violation: (absent for \S+ it announced as held|no data for \S+ in \d+ ms after announcing it as held)$/,
  flood: /^protocol violation: /,
};

let browser: LaunchedBrowser | undefined;
let stack: Stack | undefined;

before(async () => {
  assertChromiumInstalled();
  assertViewerBuilt();
  assertHostileBuilt();
  stack = await startStack({ liveSource: 'loop' });
  browser = await launchBrowser();
});

after(async () => {
  await Promise.allSettled([browser?.close(), stack?.close()]);
});

void test(`hostile peers: ${VIEWERS} honest viewers cut off each attacker within ${SEGMENT_DURATION_MS} ms, play on, and every byte played is the origin's`, { timeout: 330_000 }, async (t) => {
  if (!browser || !stack) throw new Error('e2e setup failed (see the before hook)');
  const result = await runHostileScenario({
    browser: browser.browser,
    stack,
    viewers: VIEWERS,
    attacks: ATTACKS,
    attackMs: () => ATTACK_MS,
    log: (line) => { t.diagnostic(line); },
    pageLog: (line) => { t.diagnostic(line); },
  });
  t.diagnostic(describeReports(result.reports));
  for (const run of result.runs) assertAttackDefeated(run);
  assert.deepEqual(result.check.mismatches, [], 'segments differ from the origin');
  assert.deepEqual(result.check.unavailable.filter((label) => label.includes('source=p2p')), [], 'segments from peers that could not be checked');
  result.reports.forEach((r, i) => { assert.deepEqual(r.hlsFatalErrors, [], `viewer#${i} had fatal hls.js errors`); });
  t.diagnostic(`verification: ${JSON.stringify(result.verification)}`);
});

function assertAttackDefeated(run: AttackRun): void {
  const { attack, outcomes, window, hostile } = run;
  const label = `${attack}: ${describeOutcomes(outcomes)}`;
  assert.ok(run.clockSpreadMs < MAX_CLOCK_SPREAD_MS, `${attack}: the pages' clocks differ by ${run.clockSpreadMs} ms`);
  assert.deepEqual(hostile.errors, [], `${attack}: the hostile page reported errors`);
  // Every honest viewer got the attack (flood: every form of it, under a fresh id each).
  const rounds = attack === 'flood' ? FLOOD_KINDS.length : 1;
  assert.equal(hostile.identities.length, rounds, `${attack}: identities used`);
  const hit = attacked(outcomes);
  assert.equal(hit.length, VIEWERS * rounds, `${attack}: viewers attacked (${label})`);
  for (let v = 0; v < VIEWERS; v++) {
    assert.equal(hit.filter((o) => o.viewer === v).length, rounds, `${attack}: viewer#${v} attacked ${rounds} time(s) (${label})`);
  }
  if (attack === 'falseHave') assert.deepEqual(hit.map((o) => o.variant).sort(), ['absent', 'silent', 'stall'], `${attack}: every form of the lie`);
  if (attack === 'flood') assert.deepEqual([...new Set(hit.map((o) => o.variant))].sort(), [...FLOOD_KINDS].sort(), `${attack}: every kind of flood`);
  for (const o of hit) {
    assert.ok(o.cutOffMs !== null, `${attack}: viewer#${o.viewer ?? '?'} never cut off the ${o.variant} attacker (${label})`);
    assert.ok(o.cutOffMs > -MAX_CLOCK_SPREAD_MS && o.cutOffMs <= SEGMENT_DURATION_MS, `${attack}: viewer#${o.viewer ?? '?'} cut off the ${o.variant} attacker ${o.cutOffMs} ms after its first bad message`);
    assert.match(o.cutOffReason ?? '', EXPECTED_REASON[attack], `${attack}: viewer#${o.viewer ?? '?'} cut-off reason`);
  }
  // The honest viewers played on, byte-exact, and kept sharing.
  assert.equal(window.badSegmentsPlayed, 0, `${attack}: segments played that differ from the origin's`);
  assert.equal(window.stalls, 0, `${attack}: honest viewers stalled`);
  assert.ok(window.segments >= VIEWERS * (ATTACK_MS / SEGMENT_DURATION_MS - 3), `${attack}: only ${window.segments} segments played`);
  window.p2pSegmentBytes.forEach((bytes, v) => {
    assert.ok(bytes > 0, `${attack}: viewer#${v} got no segment from the other honest viewers`);
  });
}
