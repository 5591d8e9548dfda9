/**
 * What a peer is told of our segments: `receiving` and `have` go to every peer except those that
 * announced holding the segment (they will not ask us for it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Testbed, sameBytes } from './support/testbed.ts';

const SIZE = 60_000;

void test('have and receiving skip a peer that holds the segment', async () => {
  const bed = new Testbed({ seed: 'announce' });
  const h = bed.addScriptedPeer('H');
  h.onOpen = (l) => { l.greet(); };
  await bed.clock.advance(100);
  const e = bed.addEngine('E');
  await bed.clock.advance(1_000);
  const link = h.linkTo(bed.idOf('E'));
  assert.ok(link?.open, 'H is connected to E');
  // H holds what it announces but serves nothing: E's loads end over HTTP.
  h.onMessage = (msg, l) => {
    if (msg.type === 'request') l.send({ type: 'busy', requestId: msg.requestId });
  };
  const announced = (sn: number): string[] => link.received.filter((m) => (m.type === 'have' || m.type === 'receiving') && m.sn === sn).map((m) => m.type);

  const alone = { rendition: 'v0', sn: 1 };
  const segAlone = bed.publish(alone, SIZE);
  const gotAlone = await bed.clock.settle(e.engine.loadSegment(bed.request(alone, 10_000)));
  assert.ok(sameBytes(gotAlone.bytes, segAlone.bytes));
  await bed.clock.advance(100);
  assert.deepEqual(announced(1), ['receiving', 'have'], 'H does not hold v0/1: told E is receiving it, then has it');

  const held = { rendition: 'v0', sn: 2 };
  const segHeld = bed.publish(held, SIZE);
  link.send({ type: 'have', ...held, sizeBytes: SIZE });
  await bed.clock.advance(50);
  const gotHeld = await bed.clock.settle(e.engine.loadSegment(bed.request(held, 10_000)));
  assert.ok(sameBytes(gotHeld.bytes, segHeld.bytes));
  assert.equal(gotHeld.source, 'http');
  assert.ok(link.messages('request').some((m) => m.sn === 2), 'E asked H first');
  await bed.clock.advance(500);
  assert.deepEqual(announced(2), [], 'H holds v0/2: neither receiving nor have');

  assert.deepEqual(e.errors, []);
  bed.destroyAll();
});
