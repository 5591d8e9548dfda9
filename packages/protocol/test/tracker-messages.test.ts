import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { LIMITS, parseClientMessage, parseServerMessage, serializeMessage } from '../src/index.ts';
import { clientMessageArb, serverMessageArb } from './arbitraries.ts';
import { Tally } from './fuzz-contract.ts';
import { nearLimitSignal, trackerProperties } from './tracker-fuzz.ts';
import { rejection, validClient, validServer } from './tracker-message-cases.ts';

const LIMIT = LIMITS.maxTrackerMessageBytes;
const tallies = { client: new Tally(), server: new Tally() };

after(() => {
  for (const [side, t] of Object.entries(tallies)) {
    console.log(`tracker ${side} parser fuzz: ${t.total} inputs, slowest ${t.maxMs.toFixed(1)} ms\n  ${t.lines().join('\n  ')}`);
  }
});

void describe('tracker messages: valid messages', () => {
  void test('every valid client message parses to itself and round-trips through serializeMessage', () => {
    for (const m of validClient) {
      const text = serializeMessage(m);
      assert.deepStrictEqual(parseClientMessage(text), m);
      assert.equal(serializeMessage(parseClientMessage(text)), text);
    }
  });

  void test('every valid server message parses to itself and round-trips through serializeMessage', () => {
    for (const m of validServer) {
      const text = serializeMessage(m);
      assert.deepStrictEqual(parseServerMessage(text), m);
      assert.equal(serializeMessage(parseServerMessage(text)), text);
    }
  });

  void test('join without uploadKbps defaults it to 0; JSON whitespace and key order do not matter', () => {
    assert.deepStrictEqual(parseClientMessage('{"type":"join","protocol":1,"swarm":"s"}'), { type: 'join', protocol: 1, swarm: 's', uploadKbps: 0 });
    assert.deepStrictEqual(parseClientMessage(' {\n "swarm" : "s",\t"protocol":1.0, "type":"join", "uploadKbps": 5e2 }\r\n'), {
      type: 'join',
      protocol: 1,
      swarm: 's',
      uploadKbps: 500,
    });
  });

  void test('property: generated client messages round-trip (or are too large once serialized)', () => {
    fc.assert(
      fc.property(clientMessageArb, (m) => {
        const text = serializeMessage(m);
        if (new TextEncoder().encode(text).length > LIMIT) {
          rejection(() => parseClientMessage(text), 'TRACKER_MSG_TOO_LARGE');
          return;
        }
        assert.deepStrictEqual(parseClientMessage(text), m);
      }),
      { numRuns: 1000 },
    );
  });

  void test('property: generated server messages round-trip (or are too large once serialized)', () => {
    fc.assert(
      fc.property(serverMessageArb, (m) => {
        const text = serializeMessage(m);
        if (new TextEncoder().encode(text).length > LIMIT) {
          rejection(() => parseServerMessage(text), 'TRACKER_MSG_TOO_LARGE');
          return;
        }
        assert.deepStrictEqual(parseServerMessage(text), m);
      }),
      { numRuns: 1000 },
    );
  });

  void test('property: a client message is never a server message, and the other way round', () => {
    fc.assert(
      fc.property(clientMessageArb, serverMessageArb, (c, s) => {
        rejection(() => parseServerMessage(serializeMessage(c)), 'TRACKER_MSG_INVALID');
        rejection(() => parseClientMessage(serializeMessage(s)), 'TRACKER_MSG_INVALID');
      }),
      { numRuns: 500 },
    );
  });
});

void describe('tracker messages: fuzz properties', () => {
  // ≥ 20,000 strings in all (each goes through both parsers; counted by the last test).
  const runs: Record<string, number> = {
    'tracker: any string': 10_000,
    'tracker: mutated valid messages': 9_000,
    'tracker: valid messages': 2_000,
  };
  for (const p of trackerProperties(tallies)) {
    void test(p.name, { timeout: 20_000 }, () => {
      p.run({ numRuns: runs[p.name] ?? 1_000 });
    });
  }

  void test('at least 20,000 inputs were checked, none slower than 1 s', () => {
    // "valid messages" inputs go to one parser only, the others to both.
    const inputs = (tallies.client.total + tallies.server.total + 2_000) / 2;
    assert.ok(inputs >= 20_000, `only ${inputs} inputs`);
    assert.ok(Math.max(tallies.client.maxMs, tallies.server.maxMs) < 1_000);
  });
});

void describe('tracker messages: size limit', () => {
  void test('a 1 MB string of valid JSON is rejected as too large, without calling JSON.parse', (t) => {
    const big = JSON.stringify({ type: 'ping', pad: 'x'.repeat(1024 * 1024) });
    const parse = t.mock.method(JSON, 'parse');
    try {
      rejection(() => parseClientMessage(big), 'TRACKER_MSG_TOO_LARGE');
      rejection(() => parseServerMessage(big), 'TRACKER_MSG_TOO_LARGE');
      assert.equal(parse.mock.callCount(), 0);
    } finally {
      parse.mock.restore();
    }
  });

  void test('a text within the char limit but over the byte limit in UTF-8 is too large, before JSON.parse', (t) => {
    // 30,000 "€" (3 bytes each) = 90,000 UTF-8 bytes in 30,000 UTF-16 units: used to be accepted.
    const text = nearLimitSignal(LIMIT + 30_000, '€');
    assert.ok(text.length < LIMIT);
    const parse = t.mock.method(JSON, 'parse');
    try {
      rejection(() => parseClientMessage(text), 'TRACKER_MSG_TOO_LARGE');
      assert.equal(parse.mock.callCount(), 0);
    } finally {
      parse.mock.restore();
    }
  });

  void test('exactly maxTrackerMessageBytes UTF-8 bytes is accepted, one more is not, for 1- to 4-byte characters', () => {
    for (const unit of ['a', 'é', '€', '😀', '\ud800']) {
      const atLimit = nearLimitSignal(LIMIT, unit);
      const over = nearLimitSignal(LIMIT + 1, unit);
      assert.equal(new TextEncoder().encode(atLimit).length, LIMIT);
      assert.equal(new TextEncoder().encode(over).length, LIMIT + 1);
      assert.equal(parseClientMessage(atLimit).type, 'signal', `${unit} at the limit`);
      rejection(() => parseClientMessage(over), 'TRACKER_MSG_TOO_LARGE');
    }
  });

  void test('a lone surrogate counts as the 3 bytes of U+FFFD it is sent as', () => {
    const text = nearLimitSignal(LIMIT + 3, '\ud800');
    assert.ok(text.length < LIMIT / 2);
    rejection(() => parseClientMessage(text), 'TRACKER_MSG_TOO_LARGE');
    const candidate = `{"type":"signal","swarm":"s","to":"p","data":{"kind":"candidate","candidate":"${'\udc00'.repeat(1000)}","sdpMid":null,"sdpMLineIndex":null}}`;
    assert.equal(parseClientMessage(candidate).type, 'signal');
  });

  void test('whitespace padding: exactly the limit parses, one more char is too large', () => {
    const head = '{"type":"pong"}';
    assert.equal(parseServerMessage(head + ' '.repeat(LIMIT - head.length)).type, 'pong');
    rejection(() => parseServerMessage(head + ' '.repeat(LIMIT - head.length + 1)), 'TRACKER_MSG_TOO_LARGE');
  });

  void test('deep nesting is an ordinary invalid message, not a stack overflow', () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    rejection(() => parseClientMessage(deep(30_000)), 'TRACKER_MSG_INVALID');
    rejection(() => parseClientMessage(`{"type":"ping","x":${deep(30_000)}}`), 'TRACKER_MSG_INVALID');
    rejection(() => parseClientMessage(`{"type":"signal","swarm":"s","to":"p","data":${deep(30_000)}}`), 'TRACKER_MSG_INVALID');
    rejection(() => parseClientMessage('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)), 'TRACKER_MSG_INVALID');
    rejection(() => parseClientMessage(deep(LIMIT)), 'TRACKER_MSG_TOO_LARGE');
  });
});
