import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ProtocolError, parseClientMessage, serializeMessage } from '../src/index.ts';
import type { ClientMessage } from '../src/index.ts';
import { relayedSignalText } from '../src/tracker-relay.ts';
import type { ClientSignal } from '../src/tracker-relay.ts';
import { clientMessageArb, idArb } from './arbitraries.ts';

const signalArb = clientMessageArb.filter((m): m is ClientSignal => m.type === 'signal');

/** Ways a client may write the same signal other than JSON.stringify's: each must still relay JSON.stringify's text. */
const REWRITES: readonly ((msg: ClientSignal, canonical: string) => string)[] = [
  (_msg, canonical) => canonical,
  (msg) => JSON.stringify(msg, null, 1),
  (_msg, canonical) => `${canonical} `,
  (_msg, canonical) => ` ${canonical}`,
  // Other escapes of the same characters.
  (_msg, canonical) => canonical.replaceAll('/', '\\/'),
  (_msg, canonical) => canonical.replace(/(?<!\\)(\\\\)*a/, (m) => `${m.slice(0, -1)}\\u0061`),
  (_msg, canonical) => canonical.replace(/(?<!\\)(\\\\)*e/, (m) => `${m.slice(0, -1)}\\u0065`),
  // Other key orders.
  (msg) => JSON.stringify({ data: msg.data, type: msg.type, swarm: msg.swarm, to: msg.to }),
  (msg) => JSON.stringify({ ...msg, data: msg.data.kind === 'description' ? { sdp: msg.data.sdp, kind: msg.data.kind, sdpType: msg.data.sdpType } : msg.data }),
  // Duplicate keys: JSON.parse keeps the last, and so must the relay (no earlier value may leak through).
  (msg, canonical) => canonical.replace(',"data":', `,"data":${JSON.stringify({ kind: 'description', sdpType: 'offer', sdp: 'shadowed' })},"data":`),
  (msg, canonical) => canonical.replace(',"sdp":"', ',"sdp":"shadowed","sdp":"'),
  (msg, canonical) => canonical.replace(',"to":', `,"to":"shadowed","swarm":${JSON.stringify(msg.swarm)},"to":`),
];

function expected(msg: ClientSignal, from: string): string {
  return serializeMessage({ type: 'signal', swarm: msg.swarm, from, data: msg.data });
}

function parsedSignal(text: string): ClientSignal | undefined {
  let msg: ClientMessage;
  try {
    msg = parseClientMessage(text);
  } catch (error) {
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
  return msg.type === 'signal' ? msg : undefined;
}

void describe('relayedSignalText', () => {
  void test('is byte for byte the serialized relay, however the client wrote the signal', () => {
    fc.assert(
      fc.property(signalArb, idArb, fc.nat(REWRITES.length - 1), (msg, from, pick) => {
        const text = (REWRITES[pick] ?? REWRITES[0])?.(msg, serializeMessage(msg)) ?? '';
        const parsed = parsedSignal(text);
        // A rewrite may break a message near a limit (or leave it unchanged): only valid ones count.
        if (parsed === undefined) return;
        assert.equal(relayedSignalText(parsed, text, from), expected(parsed, from), text);
      }),
      { numRuns: 20_000 },
    );
  });

  void test('SDPs with every kind of escape, quote and backslash', () => {
    const sdps = ['', 'a', '\\', '\\\\', '"', '\\"', 'x\\', '\r\n', '\u0000\u001f\u007f', '\u2028\u2029', '😀', '\ud800', 'a/b', '\\u0041', '\\/', 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=rtpmap:111 opus/48000/2\r\n'];
    for (const sdp of sdps) {
      for (const sdpType of ['offer', 'answer'] as const) {
        const msg: ClientSignal = { type: 'signal', swarm: 'live/"a"\\', to: 'p1', data: { kind: 'description', sdpType, sdp } };
        for (const rewrite of REWRITES) {
          const text = rewrite(msg, serializeMessage(msg));
          const parsed = parsedSignal(text);
          if (parsed === undefined) continue;
          assert.equal(relayedSignalText(parsed, text, 'me'), expected(parsed, 'me'), text);
        }
      }
    }
  });
});
