import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { CheapHistogram } from '../src/observability/cheap-histogram.js';

const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

void describe('CheapHistogram', () => {
  void test('writes the exposition prom-client\'s Histogram writes for the same observations', async () => {
    const mine = new Registry();
    const theirs = new Registry();
    const cheap = new CheapHistogram({ name: 'relay_seconds', help: 'Relay time.', buckets: BUCKETS, registers: [mine] });
    const reference = new Histogram({ name: 'relay_seconds', help: 'Relay time.', buckets: BUCKETS, registers: [theirs] });
    assert.equal(await mine.metrics(), await theirs.metrics());
    // Bounds themselves, values between, below the first and above the last.
    for (const value of [0, 0.00005, 0.00007, 0.0001, 0.003, 0.05, 0.0999, 0.1, 0.2, 7, 0.00001]) {
      cheap.observe(value);
      reference.observe(value);
    }
    assert.equal(await mine.metrics(), await theirs.metrics());
    cheap.reset();
    reference.reset();
    reference.zero({});
    assert.equal(await mine.metrics(), await theirs.metrics());
  });
});
