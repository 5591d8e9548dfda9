/** MachineFreezes: a held event loop is found, and only the stalls that began in it or its drain are excused. No browser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FREEZE_DRAIN_MS, MachineFreezes } from './harness/machine-freezes.js';
import { sleep } from './harness/schedule.js';

const HOLD_MS = 700;

void test('MachineFreezes finds a held event loop and excuses only the stalls that began in it or its drain', async () => {
  const freezes = new MachineFreezes();
  try {
    assert.equal(freezes.describe(), 'the machine never stood still');
    await sleep(200);
    const heldFromMs = performance.timeOrigin + performance.now();
    const until = performance.now() + HOLD_MS;
    while (performance.now() < until) { /* holds the event loop, as a frozen machine does */ }
    await sleep(200);
    // The machine itself may stand still too on a shared VM: the window looked at is the one held here.
    const w = freezes.windows.find((x) => x.fromMs <= heldFromMs + HOLD_MS && x.toMs >= heldFromMs);
    assert.ok(w, `no window covers the hold: ${freezes.describe()}`);
    assert.ok(w.toMs - w.fromMs >= HOLD_MS - 60, `window of ${w.toMs - w.fromMs} ms for a ${HOLD_MS} ms hold`);
    assert.match(freezes.describe(), /^the machine stood still \d+ times \(\d+ ms(, \d+ ms)*\)$/);

    const stall = (atMs: number): { atMs: number; durationMs: number } => ({ atMs, durationMs: 100 });
    const inFreeze = stall(heldFromMs + HOLD_MS / 2);
    const inDrain = stall(w.toMs + FREEZE_DRAIN_MS - 10);
    freezes.stop();
    // After the drain of the last window found, and before the probe began: no window can cover them.
    const after = stall(Math.max(...freezes.windows.map((x) => x.toMs)) + FREEZE_DRAIN_MS + 500);
    const before = stall(heldFromMs - 5_000);
    assert.equal(freezes.stallsOutside({ stalls: 2, stallLog: [inFreeze, inDrain] }), 0);
    assert.equal(freezes.stallsOutside({ stalls: 3, stallLog: [inFreeze, after, before] }), 2);
    // Stalls past the page's log of 20 are counted: they cannot be shown to be the machine's.
    assert.equal(freezes.stallsOutside({ stalls: 25, stallLog: [inFreeze] }), 24);
  } finally {
    freezes.stop();
  }
});
