import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import * as v from 'valibot';
import { ClientMessageSchema, LIMITS, parseClientMessage, parseServerMessage, serializeMessage } from '../src/index.ts';
import { clientMessageArb, serverMessageArb } from './arbitraries.ts';
import { CONTROL_CHARS, MAX_ERROR_MESSAGE_CHARS, Tally } from './fuzz-contract.ts';
import { PROTOTYPE_KEYS, checkTrackerText } from './tracker-fuzz.ts';
import { iceServerRejections, rejection, summaryWith, validClient, validServer } from './tracker-message-cases.ts';

const LIMIT = LIMITS.maxTrackerMessageBytes;
const tallies = { client: new Tally(), server: new Tally() };

after(() => {
  for (const [side, t] of Object.entries(tallies)) {
    console.log(`tracker ${side} parser, strict-shape inputs: ${t.total} inputs, slowest ${t.maxMs.toFixed(1)} ms\n  ${t.lines().join('\n  ')}`);
  }
});

void describe('tracker messages: strict shapes', () => {
  const withKey = (m: object, key: string, nested: boolean): string => {
    const copy = JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
    const target = nested ? (copy.data as Record<string, unknown>) : copy;
    // defineProperty: a plain assignment to "__proto__" would set the prototype, not a key.
    Object.defineProperty(target, key, { value: 1, enumerable: true, configurable: true, writable: true });
    return JSON.stringify(copy);
  };

  void test('an unknown extra key is rejected in every message type, top level and in signal data', () => {
    const keys = ['extra', 'Type', 'type ', '', ...PROTOTYPE_KEYS];
    for (const key of keys) {
      for (const m of validClient) {
        const e = rejection(() => parseClientMessage(withKey(m, key, false)), 'TRACKER_MSG_INVALID');
        assert.match(e.message, / at "?[^:]*"?: Invalid key/, e.message);
        assert.ok(e.message.includes(key === '' ? 'at ""' : key), e.message);
        if (m.type === 'signal') {
          const n = rejection(() => parseClientMessage(withKey(m, key, true)), 'TRACKER_MSG_INVALID');
          assert.ok(n.message.includes(' at data.'), n.message);
        }
      }
      for (const m of validServer) {
        rejection(() => parseServerMessage(withKey(m, key, false)), 'TRACKER_MSG_INVALID');
        if (m.type === 'signal') rejection(() => parseServerMessage(withKey(m, key, true)), 'TRACKER_MSG_INVALID');
      }
    }
  });

  void test('"__proto__" in the input pollutes nothing and does not survive into the output', () => {
    const text = '{"type":"ping","__proto__":{"polluted":true,"type":"join"}}';
    rejection(() => parseClientMessage(text), 'TRACKER_MSG_INVALID');
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // A message whose only odd key is inherited-looking but absent is fine: the output is a plain object.
    const out = parseClientMessage('{"type":"ping"}');
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepStrictEqual(Object.keys(out), ['type']);
  });

  void test('property: any message with one key removed (other than the optional join.uploadKbps/seeder, welcome.iceServers/summaryIntervalMs, joined/peers.seeders) is invalid', () => {
    fc.assert(
      fc.property(fc.oneof(clientMessageArb, serverMessageArb), fc.nat(), fc.boolean(), (m, pick, nested) => {
        const copy = JSON.parse(serializeMessage(m)) as Record<string, unknown>;
        const target = nested && typeof copy.data === 'object' ? (copy.data as Record<string, unknown>) : copy;
        const optionalKeys: Record<string, string[]> = { join: ['uploadKbps', 'seeder'], welcome: ['iceServers', 'summaryIntervalMs'], joined: ['seeders'], peers: ['seeders'] };
        const optional = optionalKeys[String(copy.type)] ?? [];
        const keys = Object.keys(target).filter((k) => target !== copy || !optional.includes(k));
        const key = keys[pick % keys.length];
        if (key === undefined) return;
        Reflect.deleteProperty(target, key);
        const text = JSON.stringify(copy);
        if (new TextEncoder().encode(text).length > LIMIT) return;
        const isClient = v.safeParse(ClientMessageSchema, m).success;
        const e = rejection(() => (isClient ? parseClientMessage(text) : parseServerMessage(text)), 'TRACKER_MSG_INVALID');
        // Reported at the missing key, discriminators ("type", "data.kind") included.
        assert.ok(e.message.includes(` at ${target === copy ? '' : 'data.'}${key}: `), e.message);
      }),
      { numRuns: 1000 },
    );
  });

  void test('wrong types and out-of-range values are rejected at their path', () => {
    const cases: [string, 'client' | 'server', string][] = [
      ['{"type":"join","protocol":1,"swarm":"s","uploadKbps":-1}', 'client', 'uploadKbps'],
      ['{"type":"join","protocol":1,"swarm":"s","uploadKbps":1.5}', 'client', 'uploadKbps'],
      ['{"type":"join","protocol":1,"swarm":"s","uploadKbps":4294967296}', 'client', 'uploadKbps'],
      ['{"type":"join","protocol":1,"swarm":"s","uploadKbps":"5"}', 'client', 'uploadKbps'],
      ['{"type":"join","protocol":1,"swarm":"s","uploadKbps":null}', 'client', 'uploadKbps'],
      ['{"type":"join","protocol":2,"swarm":"s"}', 'client', 'protocol'],
      ['{"type":"join","protocol":"1","swarm":"s"}', 'client', 'protocol'],
      ['{"type":"join","protocol":1,"swarm":""}', 'client', 'swarm'],
      [`{"type":"join","protocol":1,"swarm":"${'s'.repeat(LIMITS.maxSwarmIdLength + 1)}"}`, 'client', 'swarm'],
      ['{"type":"leave","swarm":7}', 'client', 'swarm'],
      [summaryWith({ p2pBytes: -1 }), 'client', 'p2pBytes'],
      [summaryWith({ httpBytes: 2 ** 50 + 1 }), 'client', 'httpBytes'],
      [summaryWith({ uploadedBytes: 1.5 }), 'client', 'uploadedBytes'],
      [summaryWith({ stalls: 2 ** 32 }), 'client', 'stalls'],
      [summaryWith({ liveLatencyMs: -5 }), 'client', 'liveLatencyMs'],
      [summaryWith({ peers: 65_536 }), 'client', 'peers'],
      [summaryWith({ segmentsP2p: '3' }), 'client', 'segmentsP2p'],
      [summaryWith({ extra: 1 }), 'client', 'extra'],
      ['{"type":"welcome","protocol":1,"peerId":"a","heartbeatMs":1,"summaryIntervalMs":0}', 'server', 'summaryIntervalMs'],
      ['{"type":"signal","swarm":"s","to":"a b","data":{"kind":"candidate","candidate":"c","sdpMid":null,"sdpMLineIndex":null}}', 'client', 'to'],
      [`{"type":"signal","swarm":"s","to":"${'p'.repeat(65)}","data":{"kind":"candidate","candidate":"c","sdpMid":null,"sdpMLineIndex":null}}`, 'client', 'to'],
      ['{"type":"signal","swarm":"s","to":"p","data":{"kind":"candidate","candidate":"c","sdpMid":null,"sdpMLineIndex":256}}', 'client', 'data.sdpMLineIndex'],
      ['{"type":"signal","swarm":"s","to":"p","data":{"kind":"candidate","candidate":"c","sdpMid":5,"sdpMLineIndex":0}}', 'client', 'data.sdpMid'],
      ['{"type":"signal","swarm":"s","to":"p","data":{"kind":"description","sdpType":"pranswer","sdp":""}}', 'client', 'data.sdpType'],
      ['{"type":"signal","swarm":"s","to":"p","data":{"kind":"bye"}}', 'client', 'data.kind'],
      ['{"type":"signal","swarm":"s","to":"p","data":[]}', 'client', 'data.kind'],
      ['{"type":"signal","swarm":"s","to":"p","data":null}', 'client', 'data'],
      [`{"type":"signal","swarm":"s","to":"p","data":{"kind":"candidate","candidate":"${'c'.repeat(LIMITS.maxCandidateLength + 1)}","sdpMid":null,"sdpMLineIndex":null}}`, 'client', 'data.candidate'],
      ['{"type":"nope"}', 'client', 'type'],
      ['{"type":"pong"}', 'client', 'type'],
      ['{"type":"joined","swarm":"s","peers":["a","b","c d"]}', 'server', 'peers.2'],
      [`{"type":"peers","swarm":"s","peers":${JSON.stringify(Array.from({ length: LIMITS.maxPeersInList + 1 }, (_, i) => `p${i}`))}}`, 'server', 'peers'],
      ['{"type":"welcome","protocol":1,"peerId":"p","heartbeatMs":-5}', 'server', 'heartbeatMs'],
      ...iceServerRejections(),
      ['{"type":"error","code":"x","message":7}', 'server', 'message'],
      [`{"type":"error","code":"${'c'.repeat(65)}","message":""}`, 'server', 'code'],
    ];
    for (const [text, side, path] of cases) {
      const e = rejection(() => (side === 'client' ? parseClientMessage(text) : parseServerMessage(text)), 'TRACKER_MSG_INVALID');
      assert.ok(e.message.startsWith(`TRACKER_MSG_INVALID: ${side} message invalid at ${path}: `), `${text.slice(0, 80)} -> ${e.message}`);
    }
  });

  void test('JSON that is not an object is invalid; text that is not JSON is NOT_JSON with the cause attached', () => {
    for (const text of ['null', '[]', '1', '"ping"', 'true', '[{"type":"ping"}]']) {
      rejection(() => parseClientMessage(text), 'TRACKER_MSG_INVALID');
    }
    for (const text of ['', ' ', '{', '{"type":"ping"', "{'type':'ping'}", '{"type":"ping",}', 'NaN', 'undefined', '\ufeff{"type":"ping"}', '{"type":"ping"}x']) {
      const e = rejection(() => parseClientMessage(text), 'TRACKER_MSG_NOT_JSON');
      assert.equal(e.message, 'TRACKER_MSG_NOT_JSON: client message is not JSON');
      assert.ok(e.cause instanceof SyntaxError);
    }
  });
});

void describe('tracker messages: error messages', () => {
  void test('are short and printable even when the input is huge or hostile', () => {
    const hostile = [
      `{"type":"${'x'.repeat(60_000)}"}`,
      `{"type":"ping","${'k'.repeat(60_000)}":1}`,
      '{"type":"ping","a\\nFAKE LOG LINE\\r\\u0000\\u2028":1}',
      '{"type":"x\\n\\u001b[31mred"}',
      `{"type":"signal","swarm":"s","to":"p","data":{"kind":"description","sdpType":"offer","sdp":"${'x'.repeat(LIMITS.maxSdpLength + 1)}"}}`,
    ];
    for (const text of hostile) {
      for (const parse of [parseClientMessage, parseServerMessage]) {
        const e = rejection(() => parse(text), 'TRACKER_MSG_INVALID');
        assert.ok(e.message.length <= MAX_ERROR_MESSAGE_CHARS, `${e.message.length} chars`);
        assert.ok(!CONTROL_CHARS.test(e.message), JSON.stringify(e.message));
      }
    }
  });

  void test('name the failing path, quoting keys that are not plain names', () => {
    const e1 = rejection(() => parseClientMessage('{"type":"ping","a b":1}'), 'TRACKER_MSG_INVALID');
    assert.equal(e1.message, 'TRACKER_MSG_INVALID: client message invalid at "a b": Invalid key: Expected never but received "a b"');
    const e2 = rejection(() => parseClientMessage('{"type":"ping","":1}'), 'TRACKER_MSG_INVALID');
    assert.ok(e2.message.includes(' at "": '), e2.message);
    const e3 = rejection(() => parseClientMessage('{"type":"ping","x\\ny":1}'), 'TRACKER_MSG_INVALID');
    assert.ok(e3.message.includes(' at "x\\ny": '), e3.message);
    const e4 = rejection(() => parseServerMessage('{"type":"joined","swarm":"s","peers":[1]}'), 'TRACKER_MSG_INVALID');
    assert.equal(e4.message, 'TRACKER_MSG_INVALID: server message invalid at peers.0: Invalid type: Expected string but received 1');
  });

  void test('property: every rejection of a mutated message is readable (checked by the harness)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }), (key, value) => {
        const o: Record<string, unknown> = { type: 'ping' };
        Object.defineProperty(o, key, { value, enumerable: true, configurable: true, writable: true });
        const text = JSON.stringify(o);
        checkTrackerText(text, 'client', tallies.client);
        checkTrackerText(text, 'server', tallies.server);
      }),
      { numRuns: 500 },
    );
  });
});
