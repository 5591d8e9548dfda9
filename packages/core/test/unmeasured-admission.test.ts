/**
 * An uplink not measured yet holds a second peer's request UNMEASURED_RETRY_MS (25 ms) instead of
 * answering BUSY at once: on a fast uplink the first upload's backlog is gone by then and both are
 * served; a request cancelled meanwhile is never served.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Testbed, type TestEngine } from './support/testbed.ts';
import type { ScriptedLink } from './support/scripted-peer.ts';

const SIZE = 100_000;

/** Engine E holding segment 1 (over HTTP), connected to scripted peers H1 and H2, on a fast network. */
async function twoRequesters(seed: string): Promise<{ bed: Testbed; e: TestEngine; l1: ScriptedLink; l2: ScriptedLink }> {
  const bed = new Testbed({ seed, bandwidthBytesPerSec: 50_000_000 });
  const h1 = bed.addScriptedPeer('H1');
  const h2 = bed.addScriptedPeer('H2');
  await bed.clock.advance(100);
  const e = bed.addEngine('E');
  await bed.clock.advance(1_000);
  const ref = { rendition: 'v0', sn: 1 };
  bed.publish(ref, SIZE);
  await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 500)));
  const l1 = h1.linkTo(bed.idOf('E'));
  const l2 = h2.linkTo(bed.idOf('E'));
  assert.ok(l1?.open && l2?.open, 'H1 and H2 are connected to E');
  return { bed, e, l1, l2 };
}

const bodyBytes = (link: ScriptedLink): number => link.messages('data').reduce((n, m) => n + m.payload.length, 0);

void describe('admission while the uplink is unmeasured', () => {
  void test('a second request while the first upload is buffered waits a moment and is served, not refused', async () => {
    const { bed, e, l1, l2 } = await twoRequesters('unmeasured-fast');
    l1.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0 });
    l2.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0 });
    await bed.clock.advance(2_000);
    assert.equal(l2.messages('busy').length, 0, 'no BUSY');
    assert.equal(bodyBytes(l1), SIZE);
    assert.equal(bodyBytes(l2), SIZE);
    assert.equal(e.engine.stats().uploadRefusals.unmeasured, 0);
    bed.destroyAll();
  });

  void test('a request cancelled while held is never served', async () => {
    const { bed, l1, l2 } = await twoRequesters('unmeasured-cancel');
    l1.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0 });
    l2.send({ type: 'request', requestId: 1, rendition: 'v0', sn: 1, offsetBytes: 0 });
    l2.send({ type: 'cancel', requestId: 1 });
    await bed.clock.advance(2_000);
    assert.equal(bodyBytes(l1), SIZE);
    assert.equal(l2.messages('data').length + l2.messages('busy').length, 0, 'nothing for the cancelled request');
    bed.destroyAll();
  });
});
