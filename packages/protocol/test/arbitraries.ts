/**
 * fast-check arbitraries of valid wire messages, shared by the protocol tests and
 * packages/protocol/scripts/fuzz.ts. Everything generated here must encode / parse without error.
 */
import fc from 'fast-check';
import {
  LIMITS,
  TRACKER_PROTOCOL_VERSION,
  type AbsentMessage,
  type BusyMessage,
  type QueuedMessage,
  type ReceiptMessage,
  type WantMessage,
  type UplinkMessage,
  type CancelMessage,
  type ClientMessage,
  type DataMessage,
  type HaveMapEntry,
  type HaveMapMessage,
  type HaveMessage,
  type HelloMessage,
  type IceServer,
  type LostMessage,
  type PeerMessage,
  type ReceivingMessage,
  type RequestMessage,
  type ServerMessage,
  type SignalData,
} from '../src/index.ts';

export const U32_MAX = 0xffff_ffff;
export const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-';
const idCharArb = fc.constantFrom(...Array.from(ID_CHARS));

// ---------------------------------------------------------------------------------------------
// Cheap deterministic bytes (fast-check generates typed arrays one element at a time, far too slow
// for the 256 KiB sizes the fuzzers need).

/** xorshift32 stream; `seed` may be any integer. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** `length` pseudo-random bytes from `seed`. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  const next = prng(seed);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const x = next();
    out[i] = x;
    out[i + 1] = x >>> 8;
    out[i + 2] = x >>> 16;
    out[i + 3] = x >>> 24;
  }
  for (; i < length; i++) out[i] = next();
  return out;
}

/** A valid id of `length` chars (1..64) from a seed. */
export function seededId(length: number, seed: number): string {
  const next = prng(seed);
  let s = '';
  for (let i = 0; i < length; i++) s += ID_CHARS.charAt(next() % ID_CHARS.length);
  return s;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** fc.record, always with a plain prototype (fast-check may make null-prototype objects otherwise). */
export function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

// ---------------------------------------------------------------------------------------------
// Field arbitraries

/** Ids matching ID_PATTERN, biased to the 1- and 64-char bounds. */
export const idArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: idCharArb, minLength: 1, maxLength: 64 }) },
  { weight: 1, arbitrary: fc.string({ unit: idCharArb, minLength: 60, maxLength: 64, size: 'max' }) },
  { weight: 1, arbitrary: fc.constantFrom('a', '720p', 'peer-0', 'x'.repeat(64), '~._-', '0') },
);

/** Any u32, biased to the bounds and to the sign bit. */
export const u32Arb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: U32_MAX }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 0x7fff_ffff, 0x8000_0000, U32_MAX - 1, U32_MAX) },
  { weight: 1, arbitrary: fc.nat({ max: 1000 }) },
);

const segmentSizeArb = fc.oneof(fc.integer({ min: 1, max: LIMITS.maxSegmentBytes }), fc.constantFrom(1, LIMITS.maxSegmentBytes));

// ---------------------------------------------------------------------------------------------
// Peer messages

export const helloArb: fc.Arbitrary<HelloMessage> = rec({
  type: fc.constant('hello'),
  version: fc.integer({ min: 0, max: 255 }),
  peerId: idArb,
  uploadKbps: u32Arb,
});

const haveMapEntryArb: fc.Arbitrary<HaveMapEntry> = rec({
  rendition: idArb,
  sn: u32Arb,
  state: fc.constantFrom('have' as const, 'receiving' as const),
});

/** Encoded size of a HAVE-MAP, to keep generated ones under maxPeerMessageBytes. */
export function haveMapBytes(entries: readonly HaveMapEntry[]): number {
  return entries.reduce((n, e) => n + 6 + e.rendition.length, 3);
}

/** Drops the entries past the message size limit (only large maps with long ids get there). */
function fitHaveMap(entries: readonly HaveMapEntry[]): HaveMapMessage {
  const kept: HaveMapEntry[] = [];
  let size = 3;
  for (const e of entries) {
    if (size + 6 + e.rendition.length > LIMITS.maxPeerMessageBytes) break;
    size += 6 + e.rendition.length;
    kept.push(e);
  }
  return { type: 'haveMap', entries: kept };
}

/** A HAVE-MAP of `count` entries built from a seed (fast for thousands of entries). */
export function seededHaveMap(count: number, seed: number, maxIdLength = 64): HaveMapMessage {
  const next = prng(seed);
  const entries: HaveMapEntry[] = [];
  for (let i = 0; i < count; i++) {
    entries.push({
      rendition: seededId(1 + (next() % maxIdLength), next()),
      sn: next(),
      state: next() % 2 === 0 ? 'have' : 'receiving',
    });
  }
  return fitHaveMap(entries);
}

export const haveMapArb: fc.Arbitrary<HaveMapMessage> = fc.oneof(
  { weight: 4, arbitrary: fc.array(haveMapEntryArb, { maxLength: LIMITS.maxHaveMapEntries }).map(fitHaveMap) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        count: fc.oneof(fc.integer({ min: 0, max: LIMITS.maxHaveMapEntries }), fc.constant(LIMITS.maxHaveMapEntries)),
        seed: fc.integer(),
        maxIdLength: fc.constantFrom(1, 8, 57, 64),
      })
      .map(({ count, seed, maxIdLength }) => seededHaveMap(count, seed, maxIdLength)),
  },
);

export const haveArb: fc.Arbitrary<HaveMessage> = rec({ type: fc.constant('have'), rendition: idArb, sn: u32Arb, sizeBytes: segmentSizeArb });
export const receivingArb: fc.Arbitrary<ReceivingMessage> = rec({ type: fc.constant('receiving'), rendition: idArb, sn: u32Arb });
export const lostArb: fc.Arbitrary<LostMessage> = rec({ type: fc.constant('lost'), rendition: idArb, sn: u32Arb });
export const requestArb: fc.Arbitrary<RequestMessage> = rec({
  type: fc.constant('request'),
  requestId: u32Arb,
  rendition: idArb,
  sn: u32Arb,
  offsetBytes: u32Arb,
  withinMs: u32Arb,
});
export const cancelArb: fc.Arbitrary<CancelMessage> = rec({ type: fc.constant('cancel'), requestId: u32Arb });
export const absentArb: fc.Arbitrary<AbsentMessage> = rec({ type: fc.constant('absent'), requestId: u32Arb });
export const busyArb: fc.Arbitrary<BusyMessage> = rec({ type: fc.constant('busy'), requestId: u32Arb });
export const queuedArb: fc.Arbitrary<QueuedMessage> = rec({ type: fc.constant('queued'), requestId: u32Arb });
export const wantArb: fc.Arbitrary<WantMessage> = rec({ type: fc.constant('want'), rendition: idArb, sn: u32Arb });
export const uplinkArb: fc.Arbitrary<UplinkMessage> = rec({ type: fc.constant('uplink'), uploadKbps: u32Arb });
export const receiptArb: fc.Arbitrary<ReceiptMessage> = rec({ type: fc.constant('receipt'), requestId: u32Arb, offsetBytes: u32Arb, atMs: u32Arb });

/** A DATA payload: small ones from fast-check (they shrink), large ones seeded, biased to the limit. */
export const payloadArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 512 }) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        length: fc.oneof(fc.integer({ min: 1, max: LIMITS.maxChunkBytes }), fc.constantFrom(1, 16 * 1024, LIMITS.maxChunkBytes - 1, LIMITS.maxChunkBytes)),
        seed: fc.integer(),
      })
      .map(({ length, seed }) => seededBytes(length, seed)),
  },
);

/**
 * DATA with offset + length <= totalBytes <= maxSegmentBytes; the chunk is often at either end. One
 * in four leaves totalBytes out (a transfer's later chunk, DATA_CONTINUED_CODE).
 */
export const dataArb: fc.Arbitrary<DataMessage> = fc
  .record({
    requestId: u32Arb,
    payload: payloadArb,
    where: fc.constantFrom('start', 'end', 'whole', 'anywhere'),
    a: fc.nat(),
    b: fc.nat(),
    continued: fc.nat({ max: 3 }).map((n) => n === 0),
  })
  .map(({ requestId, payload, where, a, b, continued }) => {
    const len = payload.length;
    const max = LIMITS.maxSegmentBytes;
    let offsetBytes: number;
    let totalBytes: number;
    if (where === 'whole') {
      offsetBytes = 0;
      totalBytes = len;
    } else if (where === 'start') {
      offsetBytes = 0;
      totalBytes = len + (a % (max - len + 1));
    } else if (where === 'end') {
      offsetBytes = a % (max - len + 1);
      totalBytes = offsetBytes + len;
    } else {
      offsetBytes = a % (max - len + 1);
      totalBytes = offsetBytes + len + (b % (max - offsetBytes - len + 1));
    }
    return continued ? { type: 'data' as const, requestId, offsetBytes, payload } : { type: 'data' as const, requestId, offsetBytes, totalBytes, payload };
  });

export const peerArbs = {
  hello: helloArb,
  haveMap: haveMapArb,
  have: haveArb,
  receiving: receivingArb,
  lost: lostArb,
  request: requestArb,
  cancel: cancelArb,
  data: dataArb,
  absent: absentArb,
  busy: busyArb,
  queued: queuedArb,
  receipt: receiptArb,
  want: wantArb,
  uplink: uplinkArb,
} as const satisfies { [K in PeerMessage['type']]: fc.Arbitrary<Extract<PeerMessage, { type: K }>> };

export const peerMessageArb: fc.Arbitrary<PeerMessage> = fc.oneof(...Object.values(peerArbs));

// ---------------------------------------------------------------------------------------------
// Tracker messages

/** Strings of any UTF-16 content (lone surrogates included) and of plain text. */
export function textArb(maxLength: number): fc.Arbitrary<string> {
  // fast-check counts units (code points, graphemes); the schemas count UTF-16 code units.
  return fc
    .oneof(fc.string({ maxLength }), fc.string({ unit: 'binary', maxLength }), fc.string({ unit: 'grapheme', maxLength }))
    .map((s) => s.slice(0, maxLength));
}

export const swarmIdArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: textArb(40).filter((s) => s.length >= 1) },
  { weight: 1, arbitrary: fc.constantFrom('https://cdn.example.com/live/master.m3u8', 's'.repeat(LIMITS.maxSwarmIdLength), '"\\\u0000\u2028😀') },
);

const peerListArb = fc.array(idArb, { maxLength: LIMITS.maxPeersInList });

export const signalDataArb: fc.Arbitrary<SignalData> = fc.oneof(
  rec({
    kind: fc.constant('description'),
    sdpType: fc.constantFrom('offer' as const, 'answer' as const),
    sdp: fc.oneof(
      { weight: 4, arbitrary: textArb(200) },
      { weight: 1, arbitrary: fc.constantFrom('v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n', 'a'.repeat(LIMITS.maxSdpLength)) },
    ),
  }),
  rec({
    kind: fc.constant('candidate'),
    candidate: fc.oneof(textArb(100), fc.constant('c'.repeat(LIMITS.maxCandidateLength))),
    sdpMid: fc.option(textArb(64), { nil: null }),
    sdpMLineIndex: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
  }),
  rec({ kind: fc.constant('decline') }),
);

/** Summary byte counters, edges included. */
const summaryBytesArb = fc.oneof(fc.integer({ min: 0, max: 1e12 }), fc.constantFrom(0, LIMITS.maxSummaryBytes));

export const clientMessageArb: fc.Arbitrary<ClientMessage> = fc.oneof(
  rec({ type: fc.constant('join'), protocol: fc.constant(TRACKER_PROTOCOL_VERSION), swarm: swarmIdArb, uploadKbps: u32Arb }),
  rec({ type: fc.constant('join'), protocol: fc.constant(TRACKER_PROTOCOL_VERSION), swarm: swarmIdArb, uploadKbps: u32Arb, seeder: fc.boolean() }),
  rec({ type: fc.constant('leave'), swarm: swarmIdArb }),
  rec({ type: fc.constant('peers'), swarm: swarmIdArb }),
  rec({ type: fc.constant('signal'), swarm: swarmIdArb, to: idArb, data: signalDataArb }),
  rec({ type: fc.constant('ping') }),
  rec({
    type: fc.constant('summary'),
    swarm: swarmIdArb,
    httpBytes: summaryBytesArb,
    p2pBytes: summaryBytesArb,
    uploadedBytes: summaryBytesArb,
    segmentsHttp: u32Arb,
    segmentsP2p: u32Arb,
    stalls: u32Arb,
    stalledMs: summaryBytesArb,
    liveLatencyMs: fc.option(u32Arb, { nil: null }),
    peers: fc.integer({ min: 0, max: LIMITS.maxSummaryPeers }),
  }),
);

const printableAsciiArb = fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)));
const iceUrlArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('stun:stun.example.com', 'stun:[::1]:3478', 'turn:127.0.0.1:3478?transport=udp', 'turns:turn.example.com:443?transport=tcp'),
  fc
    .tuple(fc.constantFrom('stun:', 'turn:', 'turns:'), fc.string({ unit: fc.constantFrom(...Array.from('az09.-')), minLength: 1, maxLength: LIMITS.maxIceUrlLength - 6 }))
    .map(([scheme, host]) => scheme + host),
);
const iceSecretArb = fc.string({ unit: printableAsciiArb, maxLength: LIMITS.maxIceCredentialLength });
/** Welcome's iceServers entries (username and credential each present or absent). */
export const iceServerArb: fc.Arbitrary<IceServer> = fc.record(
  { urls: fc.array(iceUrlArb, { minLength: 1, maxLength: LIMITS.maxIceServerUrls }), username: iceSecretArb, credential: iceSecretArb },
  { requiredKeys: ['urls'], noNullPrototype: true },
);

export const serverMessageArb: fc.Arbitrary<ServerMessage> = fc.oneof(
  rec({ type: fc.constant('welcome'), protocol: fc.constant(TRACKER_PROTOCOL_VERSION), peerId: idArb, heartbeatMs: u32Arb }),
  rec({
    type: fc.constant('welcome'),
    protocol: fc.constant(TRACKER_PROTOCOL_VERSION),
    peerId: idArb,
    heartbeatMs: u32Arb,
    iceServers: fc.array(iceServerArb, { maxLength: LIMITS.maxIceServers }),
  }),
  rec({
    type: fc.constant('welcome'),
    protocol: fc.constant(TRACKER_PROTOCOL_VERSION),
    peerId: idArb,
    heartbeatMs: u32Arb,
    summaryIntervalMs: fc.integer({ min: 1, max: 0xffff_ffff }),
  }),
  rec({ type: fc.constant('joined'), swarm: swarmIdArb, peers: peerListArb }),
  rec({ type: fc.constant('joined'), swarm: swarmIdArb, peers: peerListArb, seeders: peerListArb }),
  rec({ type: fc.constant('peers'), swarm: swarmIdArb, peers: peerListArb }),
  rec({ type: fc.constant('peers'), swarm: swarmIdArb, peers: peerListArb, seeders: peerListArb }),
  rec({ type: fc.constant('signal'), swarm: swarmIdArb, from: idArb, data: signalDataArb }),
  rec({ type: fc.constant('pong') }),
  rec({ type: fc.constant('error'), code: textArb(64), message: textArb(1024) }),
);
