/** Seeders (edge peers): startup segments from them, bounded waits, and no HTTP fetchers beside them. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SegmentRef } from '@swarmcast/protocol';
import { rendezvousTop } from '../src/index.ts';
import { Testbed, type TestEngine } from './support/testbed.ts';

const REF: SegmentRef = { rendition: 'v0', sn: 7 };
const SIZE = 200_000;
const WAIT_MS = 400;

/** A seeder engine S that holds REF (fetched over HTTP at once, as an edge peer does). */
async function bedWithSeeder(seed: string): Promise<Testbed> {
  const bed = new Testbed({ seed });
  const s = bed.addEngine('S', { seeder: true });
  bed.publish(REF, SIZE);
  await bed.clock.advance(100);
  const loaded = await bed.clock.settle(s.engine.loadSegment(bed.request(REF, 0)));
  assert.equal(loaded.source, 'http');
  return bed;
}

/** Adds viewer `name` and advances until the tracker answered its join (no peer connection up yet). */
async function joinedViewer(bed: Testbed, name: string): Promise<TestEngine> {
  const v = bed.addEngine(name, { seederWaitMs: WAIT_MS });
  const state = { joined: false };
  v.engine.on('tracker-connected', () => (state.joined = true));
  while (!state.joined) await bed.clock.advance(1);
  assert.equal(v.engine.connectedPeerIds().length, 0);
  return v;
}

describe('seeders', () => {
  test('a viewer that joins takes its startup segment from the seeder, within seederWaitMs, no HTTP', async () => {
    const bed = await bedWithSeeder('seeder-startup');
    try {
      // The player asks once the tracker answered, before the connection to the seeder is up.
      const v = await joinedViewer(bed, 'V');
      const startMs = bed.clock.now();
      const loaded = await bed.clock.settle(v.engine.loadSegment(bed.request(REF, 0)));
      assert.equal(loaded.source, 'p2p');
      assert.ok(bed.clock.now() - startMs < WAIT_MS, `took ${bed.clock.now() - startMs} ms`);
      const stats = v.engine.stats();
      assert.equal(stats.httpBytes, 0);
      assert.equal(stats.seederAttempts, 1);
      assert.equal(stats.seederDeliveries, 1);
      assert.ok(stats.seederWaitMs > 0);
      // The seeder itself never waits: its load went to HTTP for want of slack.
      assert.equal(bed.get('S').engine.stats().httpFetchReasons.slack, 1);
    } finally {
      bed.destroyAll();
    }
  });

  test('before the tracker answered, a startup segment goes to HTTP at once, a seeder in the swarm or not', async () => {
    const bed = await bedWithSeeder('seeder-before-answer');
    try {
      const v = bed.addEngine('V', { seederWaitMs: WAIT_MS });
      const startMs = bed.clock.now();
      const loaded = await bed.clock.settle(v.engine.loadSegment(bed.request(REF, 0)));
      assert.equal(loaded.source, 'http');
      assert.ok(bed.clock.now() - startMs <= 60, `took ${bed.clock.now() - startMs} ms`);
      assert.equal(v.engine.stats().seederAttempts, 0);
    } finally {
      bed.destroyAll();
    }
  });

  test('expectSeeder: before the tracker answered, a startup segment waits for the answer and comes from the seeder', async () => {
    const bed = await bedWithSeeder('expect-seeder');
    try {
      const v = bed.addEngine('V', { seederWaitMs: WAIT_MS, expectSeeder: true });
      const startMs = bed.clock.now();
      const loaded = await bed.clock.settle(v.engine.loadSegment(bed.request(REF, 0)));
      assert.equal(loaded.source, 'p2p');
      assert.ok(bed.clock.now() - startMs < WAIT_MS + 100, `took ${bed.clock.now() - startMs} ms`);
      assert.equal(v.engine.stats().httpBytes, 0);
      assert.equal(v.engine.stats().seederDeliveries, 1);
    } finally {
      bed.destroyAll();
    }
  });

  test('expectSeeder in a swarm without one: the wait ends with the tracker answer, then HTTP', async () => {
    const bed = new Testbed({ seed: 'expect-no-seeder' });
    try {
      bed.addEngine('A');
      await bed.clock.advance(200);
      bed.publish(REF, SIZE);
      const v = bed.addEngine('V', { seederWaitMs: WAIT_MS, expectSeeder: true });
      const answered = { atMs: 0 };
      v.engine.on('tracker-connected', () => (answered.atMs = bed.clock.now()));
      const loaded = await bed.clock.settle(v.engine.loadSegment(bed.request(REF, 0)));
      assert.equal(loaded.source, 'http');
      assert.ok(answered.atMs > 0);
      const [fetch] = v.http.log;
      assert.ok(fetch !== undefined && fetch.startedAtMs - answered.atMs <= 1, `HTTP left ${fetch?.startedAtMs ?? NaN - answered.atMs} ms after the answer`);
      // A later urgent load does not wait again.
      const next = { rendition: 'v0', sn: 8 };
      bed.publish(next, SIZE);
      const t = bed.clock.now();
      await bed.clock.settle(v.engine.loadSegment(bed.request(next, 0)));
      assert.equal(v.http.log[1]?.startedAtMs, t);
    } finally {
      bed.destroyAll();
    }
  });

  test('without a seeder a startup segment goes to HTTP at once', async () => {
    const bed = new Testbed({ seed: 'no-seeder' });
    try {
      bed.addEngine('A');
      const v = bed.addEngine('V', { seederWaitMs: WAIT_MS });
      await bed.connectAll();
      bed.publish(REF, SIZE);
      const startMs = bed.clock.now();
      const loaded = await bed.clock.settle(v.engine.loadSegment(bed.request(REF, 0)));
      assert.equal(loaded.source, 'http');
      // Just the HTTP fetch (50 ms latency in the testbed): no wait for a seeder.
      assert.ok(bed.clock.now() - startMs <= 60, `took ${bed.clock.now() - startMs} ms`);
      assert.equal(v.engine.stats().seederAttempts, 0);
      assert.equal(v.engine.stats().httpFetchReasons.slack, 1);
    } finally {
      bed.destroyAll();
    }
  });

  test('a seeder that sends nothing costs at most seederWaitMs per load, then HTTP; after two such loads it is not asked again', async () => {
    const bed = new Testbed({ seed: 'silent-seeder' });
    try {
      const h = bed.addScriptedPeer('H', { seeder: true });
      const refs = [0, 1, 2].map((i) => ({ ...REF, sn: REF.sn + i }));
      // Greets, claims the segments, never answers a request.
      h.onOpen = (link) => {
        link.greet({ haveMap: refs.map((r) => ({ rendition: r.rendition, sn: r.sn, state: 'have' as const })) });
      };
      await bed.clock.advance(100);
      for (const r of refs) bed.publish(r, SIZE);
      const v = await joinedViewer(bed, 'V');
      const times: number[] = [];
      for (const r of refs) {
        const startMs = bed.clock.now();
        assert.equal((await bed.clock.settle(v.engine.loadSegment(bed.request(r, 0)))).source, 'http');
        times.push(bed.clock.now() - startMs);
      }
      // The bound plus the HTTP fetch (50 ms), twice; then HTTP at once.
      assert.ok(times.slice(0, 2).every((ms) => ms >= WAIT_MS && ms <= WAIT_MS + 60), `took ${times.join(', ')} ms`);
      assert.ok((times[2] ?? 0) <= 60, `took ${times.join(', ')} ms`);
      assert.equal(h.only.messages('request').length, 2);
      assert.equal(v.engine.stats().httpFetchReasons.peerLate, 2);
    } finally {
      bed.destroyAll();
    }
  });

  test('a seeder whose connection does not open is waited for seederWaitMs once, not per load', async () => {
    const bed = new Testbed({ seed: 'unreachable-seeder' });
    try {
      const h = bed.addScriptedPeer('H', { seeder: true });
      h.acceptOffers = false;
      await bed.clock.advance(100);
      const v = await joinedViewer(bed, 'V');
      const times: number[] = [];
      for (let sn = 0; sn < 3; sn++) {
        const ref = { rendition: 'v0', sn };
        bed.publish(ref, SIZE);
        const startMs = bed.clock.now();
        assert.equal((await bed.clock.settle(v.engine.loadSegment(bed.request(ref, 0)))).source, 'http');
        times.push(bed.clock.now() - startMs);
      }
      assert.ok((times[0] ?? 0) <= WAIT_MS + 60, `first load took ${times[0]} ms`);
      assert.ok(times.slice(1).every((ms) => ms <= 60), `later loads took ${times.join(', ')} ms`);
    } finally {
      bed.destroyAll();
    }
  });

  test('with a seeder among its peers, a viewer is never an HTTP fetcher: it waits for the seeder', async () => {
    const bed = new Testbed({ seed: 'seeder-designation' });
    try {
      const s = bed.addEngine('S', { seeder: true });
      const v = bed.addEngine('V');
      const w = bed.addEngine('W');
      await bed.connectAll();
      // A segment that rendezvous hashing over the viewers alone would give V to fetch.
      const ids = [v, w].map((e) => ({ id: e.engine.instanceId, weight: 1 }));
      let sn = 100;
      while (rendezvousTop([...ids, { id: s.engine.instanceId, weight: 1 }], `v0/${sn}`, 1)[0] !== v.engine.instanceId) sn++;
      const ref = { rendition: 'v0', sn };
      bed.publish(ref, SIZE);
      const viewerLoad = v.engine.loadSegment(bed.request(ref, 10_000));
      await bed.clock.advance(200);
      // The seeder gets it as it appears, a little later.
      await bed.clock.settle(s.engine.loadSegment(bed.request(ref, 0)));
      const loaded = await bed.clock.settle(viewerLoad);
      assert.equal(loaded.source, 'p2p');
      assert.equal(v.engine.stats().httpFetchReasons.designated, 0);
      assert.equal(v.engine.stats().httpBytes, 0);
    } finally {
      bed.destroyAll();
    }
  });
});
