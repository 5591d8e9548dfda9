/** bench:edge's sums of the viewers' HTTP fetch reasons and seeder figures (bench/lib/edge-figures.ts). No browser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpFetchReasons, seederFigures } from '../../bench/lib/edge-figures.js';

test('HTTP fetch reasons are summed over viewers; a viewer without them (plain hls.js) adds nothing', () => {
  const sum = httpFetchReasons([{ httpFetchReasons: { slack: 2, peerLate: 1 } }, { httpFetchReasons: { slack: 1, designated: 3 } }, { httpFetchReasons: null }, {}]);
  assert.deepEqual(sum, { slack: 3, peerLate: 1, designated: 3 });
});

test('seeder figures: attempts and deliveries summed, the mean time per attempt, null without attempts', () => {
  const one = { attempts: 2, deliveries: 1, waitMs: 300, httpFetchesAfter: 1 };
  const two = { attempts: 1, deliveries: 1, waitMs: 150, httpFetchesAfter: 0 };
  assert.deepEqual(seederFigures([{ seeder: one }, { seeder: two }, { seeder: null }]), { attempts: 3, deliveries: 2, meanWaitMs: 150, httpFetchesAfter: 1 });
  assert.deepEqual(seederFigures([{}]), { attempts: 0, deliveries: 0, meanWaitMs: null, httpFetchesAfter: 0 });
});
