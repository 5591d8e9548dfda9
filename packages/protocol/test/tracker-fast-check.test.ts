import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import * as v from 'valibot';
import { ClientMessageSchema } from '../src/index.ts';
import { fastCheckClientMessage } from '../src/tracker-fast-check.ts';
import { clientMessageArb } from './arbitraries.ts';

/** The fast check may only accept what the schema accepts, with the same value. */
function agrees(json: unknown): void {
  const fast = fastCheckClientMessage(json);
  if (fast === undefined) return;
  const full = v.safeParse(ClientMessageSchema, json);
  assert.ok(full.success, `fast check accepted what the schema refuses: ${JSON.stringify(json)}`);
  assert.deepEqual(fast, full.output);
}

const hot = new Set(['signal', 'peers', 'ping']);

/** A valid hot message with one field replaced, removed or added. */
const mutatedArb = fc
  .tuple(
    clientMessageArb.filter((m) => hot.has(m.type)),
    fc.constantFrom('replace', 'delete', 'add', 'replaceData', 'addData', 'deleteData'),
    fc.nat(),
    fc.oneof(fc.jsonValue(), fc.constantFrom(null, '', 'x'.repeat(70), 256, -1, 1.5, 'offer', 'answer', 'candidate', 'description', '__proto__')),
  )
  .map(([msg, op, pick, value]) => {
    const json = JSON.parse(JSON.stringify(msg)) as Record<string, unknown>;
    const target = op.endsWith('Data') && typeof json.data === 'object' && json.data !== null ? (json.data as Record<string, unknown>) : json;
    const keys = Object.keys(target);
    const key = keys[pick % keys.length] ?? 'type';
    if (op.startsWith('replace')) target[key] = value;
    else if (op.startsWith('delete')) Reflect.deleteProperty(target, key);
    else target[typeof value === 'string' && value !== '' ? value : 'extra'] = value;
    return JSON.parse(JSON.stringify(json)) as unknown;
  });

void describe('tracker fast check', () => {
  void test('accepts every valid signal, peers and ping (so the hot path skips valibot)', () => {
    fc.assert(
      fc.property(clientMessageArb, (msg) => {
        const json: unknown = JSON.parse(JSON.stringify(msg));
        if (hot.has(msg.type)) assert.notEqual(fastCheckClientMessage(json), undefined, JSON.stringify(msg));
        agrees(json);
      }),
      { numRuns: 2000 },
    );
  });

  void test('never accepts what the schema refuses (mutated hot messages, arbitrary JSON)', () => {
    fc.assert(fc.property(mutatedArb, agrees), { numRuns: 5000 });
    fc.assert(fc.property(fc.jsonValue(), agrees), { numRuns: 2000 });
  });

  void test('edge values', () => {
    const base = { type: 'signal', swarm: 's', to: 'p1', data: { kind: 'candidate', candidate: 'c', sdpMid: null, sdpMLineIndex: null } };
    for (const json of [
      base,
      { ...base, data: { ...base.data, sdpMLineIndex: 255 } },
      { ...base, data: { ...base.data, sdpMLineIndex: 256 } },
      { ...base, data: { ...base.data, sdpMLineIndex: 1.5 } },
      { ...base, data: { ...base.data, sdpMid: 'x'.repeat(65) } },
      { ...base, swarm: '' },
      { ...base, swarm: 'x'.repeat(513) },
      { ...base, to: 'bad id' },
      JSON.parse('{"type":"ping","__proto__":1}') as unknown,
      { type: 'peers', swarm: 's', extra: undefined },
    ]) {
      agrees(json);
    }
    assert.equal(fastCheckClientMessage({ ...base, swarm: '' }), undefined);
  });
});
