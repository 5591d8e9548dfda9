/**
 * Shared cases of the tracker message tests (tracker-messages.test.ts, tracker-message-shapes.test.ts):
 * valid client and server messages, broken ICE server lists, and a check of a rejection's code.
 */
import assert from 'node:assert/strict';
import { LIMITS, ProtocolError, TRACKER_PROTOCOL_VERSION, type ClientMessage, type ProtocolErrorCode, type ServerMessage } from '../src/index.ts';

/** The ProtocolError `fn` throws, after checking it has `code`. */
export function rejection(fn: () => unknown, code: ProtocolErrorCode): ProtocolError {
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

export const SUMMARY: ClientMessage = {
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
export function summaryWith(fields: Record<string, unknown>): string {
  return JSON.stringify({ ...SUMMARY, ...fields });
}

export const validClient: ClientMessage[] = [
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

export const validServer: ServerMessage[] = [
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
export function iceServerRejections(): [string, 'server', string][] {
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
