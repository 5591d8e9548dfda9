import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import * as v from 'valibot';
import {
  ClientMessageSchema,
  LIMITS,
  ProtocolError,
  TRACKER_PROTOCOL_VERSION,
  parseClientMessage,
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type ProtocolErrorCode,
  type ServerMessage,
} from '../src/index.ts';
import { clientMessageArb, serverMessageArb } from './arbitraries.ts';
import { CONTROL_CHARS, MAX_ERROR_MESSAGE_CHARS, PROTOTYPE_KEYS, Tally, checkTrackerText, nearLimitSignal, trackerProperties } from './fuzz-harness.ts';

const LIMIT = LIMITS.maxTrackerMessageBytes;
const tallies = { client: new Tally(), server: new Tally() };

after(() => {
  for (const [side, t] of Object.entries(tallies)) {
    console.log(`tracker ${side} parser fuzz: ${t.total} inputs, slowest ${t.maxMs.toFixed(1)} ms\n  ${t.lines().join('\n  ')}`);
  }
});

/** The ProtocolError `fn` throws, after checking it has `code`. */
function rejection(fn: () => unknown, code: ProtocolErrorCode): ProtocolError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProtocolError, `expected a ProtocolError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.startsWith(`${code}: `), e.message);
    return e;
  }
  assert.fail(`expected ${code}, nothing thrown`);
}

const SUMMARY: ClientMessage = {
  type: 'summary',
  swarm: 'swarm-1',
  httpBytes: 1_000_000,
  p2pBytes: 3_000_000,
  uploadedBytes: 2_500_000,
  segmentsHttp: 4,
  segmentsP2p: 12,
  stalls: 1,
  stalledMs: 850,
  liveLatencyMs: 6_200,
  peers: 3,
};

/** SUMMARY as JSON text with some fields replaced (or added). */
function summaryWith(fields: Record<string, unknown>): string {
  return JSON.stringify({ ...SUMMARY, ...fields });
}

const validClient: ClientMessage[] = [
  { type: 'join', protocol: TRACKER_PROTOCOL_VERSION, swarm: 'https://cdn.example.com/live/master.m3u8', uploadKbps: 0 },
  { type: 'join', protocol: TRACKER_PROTOCOL_VERSION, swarm: 's'.repeat(LIMITS.maxSwarmIdLength), uploadKbps: 0xffff_ffff },
  { type: 'leave', swarm: 'swarm-1' },
  { type: 'peers', swarm: 'swarm-1' },
  { type: 'signal', swarm: 'swarm-1', to: 'peer-B', data: { kind: 'description', sdpType: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n' } },
  { type: 'signal', swarm: 'swarm-1', to: 'peer-B', data: { kind: 'description', sdpType: 'answer', sdp: '' } },
  {
    type: 'signal',
    swarm: 'swarm-1',
    to: 'p'.repeat(64),
    data: { kind: 'candidate', candidate: 'candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 },
  },
  { type: 'signal', swarm: 'swarm-1', to: 'peer-B', data: { kind: 'candidate', candidate: '', sdpMid: null, sdpMLineIndex: null } },
  { type: 'signal', swarm: 'ω', to: 'a', data: { kind: 'candidate', candidate: 'c', sdpMid: 'm'.repeat(64), sdpMLineIndex: 255 } },
  { type: 'ping' },
  SUMMARY,
  {
    ...SUMMARY,
    httpBytes: LIMITS.maxSummaryBytes,
    p2pBytes: LIMITS.maxSummaryBytes,
    stalledMs: LIMITS.maxSummaryBytes,
    segmentsP2p: 0xffff_ffff,
    liveLatencyMs: null,
    peers: LIMITS.maxSummaryPeers,
  },
];

const validServer: ServerMessage[] = [
  { type: 'welcome', protocol: TRACKER_PROTOCOL_VERSION, peerId: 'peer-A', heartbeatMs: 15_000 },
  { type: 'welcome', protocol: TRACKER_PROTOCOL_VERSION, peerId: 'peer-A', heartbeatMs: 15_000, summaryIntervalMs: 5_000 },
  {
    type: 'welcome',
    protocol: TRACKER_PROTOCOL_VERSION,
    peerId: 'peer-A',
    heartbeatMs: 15_000,
    iceServers: [
      { urls: ['turn:127.0.0.1:3478?transport=udp', 'turns:turn.example.com:443?transport=tcp'], username: '1700000000:peer-A', credential: 'c2VjcmV0Cg==' },
      { urls: ['stun:stun.example.com:3478', 'stun:[2001:db8::1]'] },
      { urls: [`turn:${'h'.repeat(LIMITS.maxIceUrlLength - 5)}`], username: 'u'.repeat(LIMITS.maxIceCredentialLength), credential: '' },
      { urls: ['turn:a', 'turn:b', 'turn:c', 'turn:d'] },
    ],
  },
  { type: 'welcome', protocol: TRACKER_PROTOCOL_VERSION, peerId: 'peer-A', heartbeatMs: 15_000, iceServers: [] },
  { type: 'joined', swarm: 'swarm-1', peers: [] },
  { type: 'joined', swarm: 'swarm-1', peers: Array.from({ length: LIMITS.maxPeersInList }, (_, i) => `peer-${i}`) },
  { type: 'peers', swarm: 'swarm-1', peers: ['a', 'b'] },
  { type: 'signal', swarm: 'swarm-1', from: 'peer-A', data: { kind: 'description', sdpType: 'answer', sdp: 'v=0\r\n' } },
  { type: 'signal', swarm: 'swarm-1', from: 'peer-A', data: { kind: 'candidate', candidate: 'c', sdpMid: null, sdpMLineIndex: 3 } },
  { type: 'pong' },
  { type: 'error', code: 'SWARM_FULL', message: 'swarm has too many peers' },
  { type: 'error', code: '', message: '' },
];

/** Welcome messages whose iceServers break the schema, with the path the error must name. */
function iceServerRejections(): [string, 'server', string][] {
  const welcome = (iceServers: unknown): string => JSON.stringify({ type: 'welcome', protocol: 1, peerId: 'p', heartbeatMs: 1, iceServers });
  const turn = { urls: ['turn:127.0.0.1:3478'] };
  return [
    [welcome(Array.from({ length: LIMITS.maxIceServers + 1 }, () => turn)), 'server', 'iceServers'],
    [welcome({ urls: ['turn:x'] }), 'server', 'iceServers'],
    [welcome([{ urls: 'turn:127.0.0.1' }]), 'server', 'iceServers.0.urls'],
    [welcome([{ urls: [] }]), 'server', 'iceServers.0.urls'],
    [welcome([{ urls: ['turn:a', 'turn:b', 'turn:c', 'turn:d', 'turn:e'] }]), 'server', 'iceServers.0.urls'],
    [welcome([{ urls: [`turn:${'h'.repeat(LIMITS.maxIceUrlLength - 4)}`] }]), 'server', 'iceServers.0.urls.0'],
    [welcome([{ urls: ['http://turn.example.com'] }]), 'server', 'iceServers.0.urls.0'],
    [welcome([{ urls: ['stuns:stun.example.com'] }]), 'server', 'iceServers.0.urls.0'],
    [welcome([{ urls: ['turn:user:pass@turn.example.com'] }]), 'server', 'iceServers.0.urls.0'],
    [welcome([{ urls: ['stun:stun.example.com?transport=udp'] }]), 'server', 'iceServers.0.urls.0'],
    [welcome([{ urls: ['turn:127.0.0.1:3478?transport=sctp'] }]), 'server', 'iceServers.0.urls.0'],
    [welcome([{ urls: ['turn:127.0.0.1\n'] }]), 'server', 'iceServers.0.urls.0'],
    [welcome([{ ...turn, username: 'u'.repeat(LIMITS.maxIceCredentialLength + 1) }]), 'server', 'iceServers.0.username'],
    [welcome([{ ...turn, credential: 'line\nbreak' }]), 'server', 'iceServers.0.credential'],
    [welcome([{ ...turn, credential: 7 }]), 'server', 'iceServers.0.credential'],
    [welcome([{ ...turn, credentialType: 'password' }]), 'server', 'iceServers.0.credentialType'],
  ];
}

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
