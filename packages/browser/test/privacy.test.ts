/**
 * The RTC connector's ICE rules, without a browser: how configured and tracker servers merge, when a
 * relay-only connector refuses, and the privacy filter that lets only relay candidates out.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  candidateType,
  createRtcConnector,
  hasTurnServer,
  isRelayCandidate,
  mergeIceServers,
  privacySafeSdp,
  resolveRtcConnectorConfig,
} from '../src/index.ts';

const HOST = 'candidate:1467250027 1 udp 2122260223 192.168.1.20 54321 typ host generation 0 ufrag abcd network-id 1';
const SRFLX = 'candidate:842163049 1 udp 1686052607 203.0.113.7 61000 typ srflx raddr 192.168.1.20 rport 54321 generation 0';
const PRFLX = 'candidate:3 1 udp 1845501695 198.51.100.2 40000 typ prflx raddr 0.0.0.0 rport 0';
const MDNS = 'candidate:4 1 udp 2122260223 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54321 typ host';
const TCP_HOST = 'candidate:5 1 tcp 1518280447 192.168.1.20 9 typ host tcptype active';
const RELAY = 'candidate:2157334355 1 udp 41885439 127.0.0.1 49170 typ relay raddr 127.0.0.1 rport 51000 generation 0';
const TRACKER_TURN = { urls: ['turn:turn.example.com:3478?transport=udp'], username: '1700000000:p', credential: 'bWludGVk' };

void describe('privacy filter', () => {
  void test('only relay candidates pass, whatever else the line says', () => {
    assert.deepEqual([HOST, SRFLX, PRFLX, MDNS, TCP_HOST, RELAY].map(candidateType), ['host', 'srflx', 'prflx', 'host', 'host', 'relay']);
    assert.deepEqual([HOST, SRFLX, PRFLX, MDNS, TCP_HOST, RELAY].map(isRelayCandidate), [false, false, false, false, false, true]);
    // A "relay" elsewhere in the line does not make it one.
    assert.equal(isRelayCandidate('candidate:1 1 udp 1 10.0.0.1 9 typ host ufrag relay'), false);
    assert.equal(isRelayCandidate('a=end-of-candidates'), false);
    assert.equal(isRelayCandidate(''), false);
  });

  void test('descriptions lose every non-relay candidate line and their c= address; the rest is untouched', () => {
    const sdp = [
      'v=0',
      'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'a=group:BUNDLE 0',
      'm=application 54321 UDP/DTLS/SCTP webrtc-datachannel',
      'c=IN IP4 192.168.1.20',
      `a=${HOST}`,
      `a=${SRFLX}`,
      `a=${RELAY}`,
      'a=ice-ufrag:abcd',
      'a=mid:0',
      'a=sctp-port:5000',
      'c=IN IP6 2001:db8::1',
      '',
    ].join('\r\n');
    const safe = privacySafeSdp(sdp);
    assert.equal(
      safe,
      [
        'v=0',
        'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
        's=-',
        't=0 0',
        'a=group:BUNDLE 0',
        'm=application 54321 UDP/DTLS/SCTP webrtc-datachannel',
        'c=IN IP4 0.0.0.0',
        `a=${RELAY}`,
        'a=ice-ufrag:abcd',
        'a=mid:0',
        'a=sctp-port:5000',
        'c=IN IP6 ::',
        '',
      ].join('\r\n'),
    );
    assert.doesNotMatch(safe, /192\.168|203\.0\.113|2001:db8/);
    // Chromium's own trickle offer (no candidates, c=IN IP4 0.0.0.0) goes through as it is; so does \n-only text.
    const trickle = 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n';
    assert.equal(privacySafeSdp(trickle), trickle);
    assert.equal(privacySafeSdp(`v=0\na=${HOST}\na=mid:0\n`), 'v=0\na=mid:0\n');
  });
});

void describe('ICE servers', () => {
  void test('configured servers come first and win for a URL both name; the tracker adds the rest', () => {
    const mine: RTCIceServer[] = [
      { urls: 'stun:stun.example.com' },
      { urls: ['turn:turn.example.com:3478?transport=udp'], username: 'me', credential: 'mine' },
    ];
    const fromTracker = [TRACKER_TURN, { urls: ['turns:turn.example.com:443?transport=tcp', 'stun:stun.example.com'], username: 'u', credential: 'c' }];
    assert.deepEqual(mergeIceServers(mine, fromTracker), [
      ...mine,
      { urls: ['turns:turn.example.com:443?transport=tcp'], username: 'u', credential: 'c' },
    ]);
    assert.deepEqual(mergeIceServers([], [TRACKER_TURN]), [TRACKER_TURN]);
    assert.deepEqual(mergeIceServers(mine, []), mine);
    assert.deepEqual(mergeIceServers([], [{ urls: ['stun:a'] }]), [{ urls: ['stun:a'] }], 'no username/credential keys invented');
    // RTCPeerConnection throws on a TURN URL without credentials: such tracker URLs are dropped.
    assert.deepEqual(mergeIceServers([], [{ urls: ['turn:a', 'stun:a'] }, { urls: ['turns:b'], username: 'u' }]), [{ urls: ['stun:a'] }]);
  });

  void test('a TURN server is a turn: or turns: URL', () => {
    assert.equal(hasTurnServer([]), false);
    assert.equal(hasTurnServer([{ urls: 'stun:stun.example.com' }]), false);
    assert.equal(hasTurnServer([{ urls: ['stun:a', 'turns:b:443'] }]), true);
    assert.equal(hasTurnServer([{ urls: 'TURN:b' }]), true);
  });
});

void describe('RTC connector config', () => {
  void test('privacy forces the relay policy and refuses another one given explicitly', () => {
    assert.equal(resolveRtcConnectorConfig({}).iceTransportPolicy, 'all');
    assert.equal(resolveRtcConnectorConfig({}).privacy, false);
    assert.equal(resolveRtcConnectorConfig({ privacy: true }).iceTransportPolicy, 'relay');
    assert.equal(resolveRtcConnectorConfig({ privacy: true, iceTransportPolicy: 'relay' }).iceTransportPolicy, 'relay');
    assert.throws(() => resolveRtcConnectorConfig({ privacy: true, iceTransportPolicy: 'all' }), /^Error: Invalid Swarmcast config: privacy: true .* got 'all'/);
    assert.throws(() => resolveRtcConnectorConfig({ privacy: 'yes' as unknown as boolean }), /privacy must be true or false/);
  });

  void test('a relay-only connector refuses without a TURN server, from either source; others never refuse', () => {
    const none = { trackerIceServers: [] };
    const stunOnly = { trackerIceServers: [{ urls: ['stun:stun.example.com'] }] };
    const turn = { trackerIceServers: [TRACKER_TURN] };
    const privateConnector = createRtcConnector({ privacy: true });
    assert.match(privateConnector.refusal?.(none) ?? '', /^privacy mode connects through TURN relays only, and no TURN server is known/);
    assert.match(privateConnector.refusal?.(stunOnly) ?? '', /no TURN server is known/);
    assert.equal(privateConnector.refusal?.(turn), undefined);
    const ownTurn = createRtcConnector({ privacy: true, iceServers: [{ urls: 'turn:mine.example.com', username: 'a', credential: 'b' }] });
    assert.equal(ownTurn.refusal?.(none), undefined);
    assert.match(createRtcConnector({ iceTransportPolicy: 'relay' }).refusal?.(none) ?? '', /^iceTransportPolicy 'relay' needs a TURN server/);
    assert.equal(createRtcConnector().refusal?.(none), undefined);
  });
});
