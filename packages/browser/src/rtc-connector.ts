import type { PeerConnector, PeerLinkEvents, PendingPeerLink } from '@swarmcast/core';
import type { SignalData } from '@swarmcast/protocol';

export interface RtcConnectorConfig {
  /** STUN/TURN servers. None by default: loopback and LAN need none; the internet needs STUN at least. */
  iceServers: RTCIceServer[];
  /** 'relay' sends everything through TURN, so no peer learns another's address. @default 'all' */
  iceTransportPolicy: RTCIceTransportPolicy;
  /** DataChannel bufferedAmount at which the core is told to send more. @default 262144 */
  bufferedAmountLowThresholdBytes: number;
}

export const rtcConnectorDefaults: RtcConnectorConfig = {
  iceServers: [],
  iceTransportPolicy: 'all',
  bufferedAmountLowThresholdBytes: 256 * 1024,
};

/** Most remote candidates queued before the remote description arrives. */
const MAX_QUEUED_CANDIDATES = 64;

/** One RTCPeerConnection with one pre-negotiated, ordered, reliable DataChannel. */
class RtcPeerLink implements PendingPeerLink {
  private readonly pc: RTCPeerConnection;
  private readonly dc: RTCDataChannel;
  private readonly queuedCandidates: RTCIceCandidateInit[] = [];
  private closed = false;

  constructor(
    config: RtcConnectorConfig,
    initiator: boolean,
    private readonly events: PeerLinkEvents,
  ) {
    this.pc = new RTCPeerConnection({ iceServers: config.iceServers, iceTransportPolicy: config.iceTransportPolicy });
    // Negotiated id 0 on both sides: no in-band DataChannel open handshake, and no ondatachannel race.
    this.dc = this.pc.createDataChannel('swarmcast', { negotiated: true, id: 0, ordered: true });
    this.dc.binaryType = 'arraybuffer';
    this.dc.bufferedAmountLowThreshold = config.bufferedAmountLowThresholdBytes;
    this.dc.onopen = () => {
      if (!this.closed) events.open();
    };
    this.dc.onmessage = (e: MessageEvent) => {
      if (this.closed) return;
      if (e.data instanceof ArrayBuffer) events.message(new Uint8Array(e.data));
      else this.fail('text message on the data channel');
    };
    this.dc.onbufferedamountlow = () => {
      if (!this.closed) events.drain();
    };
    this.dc.onclose = () => this.fail('data channel closed');
    this.pc.onconnectionstatechange = () => {
      if (this.pc.connectionState === 'failed' || this.pc.connectionState === 'closed') this.fail(`connection ${this.pc.connectionState}`);
    };
    this.pc.onicecandidate = (e) => {
      if (this.closed || !e.candidate || e.candidate.candidate === '') return;
      events.signal({ kind: 'candidate', candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex });
    };
    if (initiator) this.run(this.makeOffer());
  }

  get bufferedAmountBytes(): number {
    return this.dc.bufferedAmount;
  }

  send(bytes: Uint8Array): void {
    if (this.closed || this.dc.readyState !== 'open') return;
    try {
      // Encoded messages always sit on a plain ArrayBuffer.
      this.dc.send(bytes as Uint8Array<ArrayBuffer>);
    } catch (error) {
      this.fail(`send failed: ${String(error)}`);
    }
  }

  signal(data: SignalData): void {
    if (this.closed) return;
    if (data.kind === 'description') {
      this.run(this.applyDescription(data.sdpType, data.sdp));
    } else if (this.pc.remoteDescription) {
      this.run(this.pc.addIceCandidate(data));
    } else if (this.queuedCandidates.length < MAX_QUEUED_CANDIDATES) {
      this.queuedCandidates.push(data);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dc.close();
    this.pc.close();
  }

  private async makeOffer(): Promise<void> {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    if (!this.closed) this.events.signal({ kind: 'description', sdpType: 'offer', sdp: offer.sdp ?? '' });
  }

  private async applyDescription(type: 'offer' | 'answer', sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type, sdp });
    for (const candidate of this.queuedCandidates.splice(0)) await this.pc.addIceCandidate(candidate);
    if (type === 'offer') {
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      if (!this.closed) this.events.signal({ kind: 'description', sdpType: 'answer', sdp: answer.sdp ?? '' });
    }
  }

  /** Runs a negotiation step; any failure closes the link with its reason. */
  private run(step: Promise<void>): void {
    step.catch((error: unknown) => this.fail(`negotiation failed: ${String(error)}`));
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.close();
    this.events.close(reason);
  }
}

/** WebRTC connections for the core, with the browser's RTCPeerConnection. */
export function createRtcConnector(config: Partial<RtcConnectorConfig> = {}): PeerConnector {
  const resolved = { ...rtcConnectorDefaults, ...config };
  return { connect: (_remotePeerId, initiator, events) => new RtcPeerLink(resolved, initiator, events) };
}
