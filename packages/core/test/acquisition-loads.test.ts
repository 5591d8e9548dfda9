/** A load's life beside its bytes' source: abort, loads of one segment sharing a download, an HTTP failure, a segment too big for the store. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineError } from '../src/index.ts';
import { pairOfEngines, requestIds } from './support/acquisition-setup.ts';
import { engineAndScripted } from './support/holder-pair.ts';
import { Testbed, sameBytes } from './support/testbed.ts';

void describe('acquisition', () => {
  void test('an aborted load rejects with LOAD_ABORTED and cancels the peer request', async () => {
    const ref = { rendition: 'v0', sn: 5 };
    const { bed, e, link } = await engineAndScripted('abort', ref, 100_000);
    const controller = new AbortController();
    const loading = e.engine.loadSegment(bed.request(ref, 10_000, controller.signal));
    const outcome = loading.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await bed.clock.advance(500);
    assert.equal(requestIds(link).length, 1, 'E asked H');
    controller.abort();
    const error = await outcome;
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, 'LOAD_ABORTED');
    await bed.clock.advance(100);
    assert.deepEqual(link.messages('cancel').map((m) => m.requestId), requestIds(link));
    assert.equal(e.http.requestCount, 0);
    // An aborted signal from the start is refused at once.
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(bed.clock.settle(e.engine.loadSegment(bed.request(ref, 10_000, pre.signal))), { code: 'LOAD_ABORTED' });
    bed.destroyAll();
  });

  void test('an aborted HTTP load rejects with LOAD_ABORTED and aborts the HTTP request', async () => {
    const { bed, e } = await pairOfEngines('abort-http');
    const ref = { rendition: 'v0', sn: 6 };
    bed.publish(ref, 100_000);
    e.http.latencyMs = 1_000;
    const controller = new AbortController();
    const loading = e.engine.loadSegment(bed.request(ref, 1_500, controller.signal));
    await bed.clock.advance(200);
    controller.abort();
    await assert.rejects(bed.clock.settle(loading), { code: 'LOAD_ABORTED' });
    assert.equal(e.http.log[0]?.outcome, 'aborted');
    assert.equal(bed.clock.pendingTimers('http:E'), 0);
    bed.destroyAll();
  });

  void test('loads of one segment share one download; aborting one user leaves the other', async () => {
    const { bed, e } = await pairOfEngines('shared');
    const ref = { rendition: 'v0', sn: 7 };
    const seg = bed.publish(ref, 100_000);
    const controller = new AbortController();
    const first = e.engine.loadSegment(bed.request(ref, 1_500, controller.signal));
    const second = e.engine.loadSegment(bed.request(ref, 1_500));
    first.catch(() => undefined);
    await bed.clock.advance(10);
    controller.abort();
    await assert.rejects(first, { code: 'LOAD_ABORTED' });
    const got = await bed.clock.settle(second);
    assert.ok(sameBytes(got.bytes, seg.bytes));
    assert.equal(e.http.requestCount, 1);
    bed.destroyAll();
  });

  void test('a load right after every user aborted starts afresh instead of inheriting the abort', async () => {
    const { bed, e } = await pairOfEngines('abort-reload');
    const ref = { rendition: 'v0', sn: 8 };
    const seg = bed.publish(ref, 100_000);
    e.http.latencyMs = 300;
    const controller = new AbortController();
    const first = e.engine.loadSegment(bed.request(ref, 1_500, controller.signal));
    first.catch(() => undefined);
    await bed.clock.advance(100);
    // hls.js aborts a fragment and asks for it again in the same tick (a seek, a level switch back).
    controller.abort();
    const reload = e.engine.loadSegment(bed.request(ref, 1_500));
    const got = await bed.clock.settle(reload);
    assert.ok(sameBytes(got.bytes, seg.bytes));
    await assert.rejects(first, { code: 'LOAD_ABORTED' });
    bed.destroyAll();
  });

  void test('an HTTP failure rejects with HTTP_FAILED', async () => {
    const { bed, e } = await pairOfEngines('http-fail');
    const ref = { rendition: 'v0', sn: 10 };
    const { url } = bed.publish(ref, 1_000);
    e.http.failing.add(url);
    await assert.rejects(bed.clock.settle(e.engine.loadSegment(bed.request(ref, 1_000))), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'HTTP_FAILED');
      assert.match(err.message, /HTTP 503/);
      return true;
    });
    bed.destroyAll();
  });

  void test('a segment too big for the store is not announced as held', async () => {
    const ref = { rendition: 'v0', sn: 11 };
    const bed = new Testbed({ seed: 'too-big' });
    const h = bed.addScriptedPeer('H');
    await bed.clock.advance(100);
    const e = bed.addEngine('E', { storeBudgetBytes: 50_000 });
    await bed.clock.advance(1_000);
    const link = h.linkTo(bed.idOf('E'));
    assert.ok(link);
    const seg = bed.publish(ref, 80_000);
    const got = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 1_000)));
    assert.ok(sameBytes(got.bytes, seg.bytes));
    await bed.clock.advance(100);
    assert.deepEqual(link.messages('have'), [], 'E cannot serve it, so it must not say it has it');
    bed.destroyAll();
  });
});
