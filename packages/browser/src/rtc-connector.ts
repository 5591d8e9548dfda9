import type { ConnectOptions, PeerConnector, PeerLinkEvents, PendingPeerLink } from '@swarmcast/core';
import type { ConnectionSignal } from '@swarmcast/protocol';
import { browserClock } from './browser-clock.js';
import { hasTurnServer, isRelayCandidate, mergeIceServers, privacySafeSdp } from './ice-servers.js';
import { PathWatchdog } from './path-watchdog.js';
import { isSameSession } from './sdp-session.js';

export interface RtcConnectorConfig {
  /**
   * STUN/TURN servers. None by default: loopback and LAN need none; the internet needs STUN at least.
   * The tracker's servers (welcome.iceServers, with TURN credentials minted per viewer) are added
   * after these; for a URL in both, these win (see mergeIceServers).
   */
  iceServers: RTCIceServer[];
  /** 'relay' sends everything through TURN, so no peer learns another's address. @default 'all' */
  iceTransportPolicy: RTCIceTransportPolicy;
  /**
   * Privacy mode: connections go through TURN relays only (iceTransportPolicy 'relay'), and only
   * relay candidates are ever signaled, so neither the tracker nor any peer learns this viewer's
   * addresses from Swarmcast. Without a TURN server (configured or from the tracker) the engine makes
   * no P2P connection and plays over HTTP. See docs/security.md (privacy mode) for what it hides and what it does not.
   * @default false
   */
  privacy: boolean;
  /**
   * DataChannel bufferedAmount at which the core is told to send more, until the core sets its own
   * (half its high-water mark, each time it stops on back-pressure). The event fires only when the
   * amount falls from above the threshold to it: at 256 KiB, above the core's marks, it never fired,
   * refills waited for the core's 50 ms recheck and the uplink meter read the gaps as slowness.
   * @default 4096
   */
  bufferedAmountLowThresholdBytes: number;
  /**
   * How long an open connection whose ICE path went 'disconnected' is given to come back by itself
   * before the side that made the offer restarts ICE ('failed' restarts at once). The peer gets no
   * new requests from the first moment. Chromium reports 'disconnected' 5-8 s after the path broke
   * and 'connected' again 30-100 ms after its return (docs/benchmarks.md, broken peer paths). @default 2000
   */
  iceDisconnectGraceMs: number;
  /**
   * How long an ICE restart may take to connect (for the answering side: from the end of the grace
   * period, waiting for the offerer's restart) before the connection is closed and the engine
   * replaces it with another. @default 8000
   */
  iceRestartTimeoutMs: number;
}

export const rtcConnectorDefaults: RtcConnectorConfig = {
  iceServers: [],
  iceTransportPolicy: 'all',
  privacy: false,
  bufferedAmountLowThresholdBytes: 4 * 1024,
  iceDisconnectGraceMs: 2_000,
  iceRestartTimeoutMs: 8_000,
};

/** Longest iceDisconnectGraceMs / iceRestartTimeoutMs: beyond a minute a dead link is better replaced. */
const MAX_PATH_WAIT_MS = 60_000;

/** Most remote candidates queued before the remote description arrives. */
const MAX_QUEUED_CANDIDATES = 64;

/** What one link is made with. */
interface LinkSettings {
  readonly rtc: RTCConfiguration;
  /** Signal relay candidates only, and descriptions without any other address. */
  readonly privacy: boolean;
  readonly bufferedAmountLowThresholdBytes: number;
  readonly iceDisconnectGraceMs: number;
  readonly iceRestartTimeoutMs: number;
}

/** One RTCPeerConnection with one pre-negotiated, ordered, reliable DataChannel. */
class RtcPeerLink implements PendingPeerLink {
  private readonly pc: RTCPeerConnection;
  private readonly dc: RTCDataChannel;
  private readonly queuedCandidates: RTCIceCandidateInit[] = [];
  /** Watches the path once open; restarts ICE if this side made the offer (see PathWatchdog). */
  private readonly watchdog: PathWatchdog;
  private closed = false;
  /** The DataChannel opened once: a broken path from now on is an interruption, not a failed setup. */
  private opened = false;

  constructor(
    private readonly settings: LinkSettings,
    initiator: boolean,
    private readonly events: PeerLinkEvents,
  ) {
    this.pc = new RTCPeerConnection(settings.rtc);
    this.watchdog = new PathWatchdog(
      { graceMs: settings.iceDisconnectGraceMs, restartTimeoutMs: settings.iceRestartTimeoutMs, role: initiator ? 'restart' : 'await' },
      browserClock,
      {
        interrupted: () => events.interrupted?.(),
        resumed: (restarted) => events.resumed?.(restarted),
        restart: () => {
          this.run(this.restartIce());
        },
        giveUp: (reason) => {
          this.fail(reason);
        },
      },
    );
    // Negotiated id 0 on both sides: no in-band DataChannel open handshake, and no ondatachannel race.
    this.dc = this.pc.createDataChannel('swarmcast', { negotiated: true, id: 0, ordered: true });
    this.dc.binaryType = 'arraybuffer';
    this.dc.bufferedAmountLowThreshold = settings.bufferedAmountLowThresholdBytes;
    this.dc.onopen = () => {
      if (this.closed) return;
      this.opened = true;
      events.open();
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
      const state = this.pc.connectionState;
      if (state === 'closed' || (state === 'failed' && !this.opened)) this.fail(`connection ${state}`);
      else this.pathState(state);
    };
    this.pc.oniceconnectionstatechange = () => {
      this.pathState(this.pc.iceConnectionState);
    };
    this.pc.onicecandidate = (e) => {
      if (this.closed || !e.candidate || e.candidate.candidate === '') return;
      // Belt and braces: the relay policy already keeps Chromium from gathering anything else.
      if (settings.privacy && !isRelayCandidate(e.candidate.candidate)) return;
      events.signal({ kind: 'candidate', candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex });
    };
    if (initiator) this.run(this.makeOffer());
  }

  setLowWaterBytes(bytes: number): void {
    if (!this.closed) this.dc.bufferedAmountLowThreshold = bytes;
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

  signal(data: ConnectionSignal): void {
    if (this.closed) return;
    if (data.kind === 'description') {
      this.run(this.applyDescription(data.sdpType, data.sdp));
    } else if (this.pc.remoteDescription) {
      const added = this.pc.addIceCandidate(data);
      // Once open, a candidate of an earlier ICE generation (around a restart) may be refused: harmless.
      if (this.opened) added.catch(() => undefined);
      else this.run(added);
    } else if (this.queuedCandidates.length < MAX_QUEUED_CANDIDATES) {
      this.queuedCandidates.push(data);
    }
  }

  async receivedBytes(): Promise<number | undefined> {
    if (this.closed) return undefined;
    const report = await this.pc.getStats();
    let total: number | undefined;
    // DTLS records (SCTP data and acknowledgements), not ICE checks: what the remote's stack sent us.
    report.forEach((stat: { type?: unknown; bytesReceived?: unknown }) => {
      if (stat.type === 'transport' && typeof stat.bytesReceived === 'number') total = (total ?? 0) + stat.bytesReceived;
    });
    return total;
  }

  renegotiates(offer: ConnectionSignal & { kind: 'description' }): boolean {
    const current = this.pc.remoteDescription;
    return this.opened && !this.closed && current !== null && isSameSession(current.sdp, offer.sdp);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.destroy();
    this.dc.close();
    this.pc.close();
  }

  private async makeOffer(): Promise<void> {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    if (!this.closed) this.events.signal({ kind: 'description', sdpType: 'offer', sdp: this.outgoingSdp(offer.sdp) });
  }

  /** A new offer with new ICE credentials, over the tracker like the first one; DTLS and SCTP stay. */
  private async restartIce(): Promise<void> {
    const offer = await this.pc.createOffer({ iceRestart: true });
    await this.pc.setLocalDescription(offer);
    if (!this.closed) this.events.signal({ kind: 'description', sdpType: 'offer', sdp: this.outgoingSdp(offer.sdp) });
  }

  /** Feeds an ICE or connection state to the watchdog (once open). */
  private pathState(state: RTCIceConnectionState | RTCPeerConnectionState): void {
    if (!this.opened || this.closed) return;
    if (state === 'disconnected' || state === 'failed') this.watchdog.pathDown(state === 'failed');
    else if (state === 'connected' || state === 'completed') this.watchdog.pathUp();
  }

  private async applyDescription(type: 'offer' | 'answer', sdp: string): Promise<void> {
    // An offer on an open connection is the offerer's ICE restart (the engine only routes such here).
    if (type === 'offer' && this.opened) this.watchdog.remoteRestarted();
    await this.pc.setRemoteDescription({ type, sdp });
    for (const candidate of this.queuedCandidates.splice(0)) await this.pc.addIceCandidate(candidate);
    if (type === 'offer') {
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      if (!this.closed) this.events.signal({ kind: 'description', sdpType: 'answer', sdp: this.outgoingSdp(answer.sdp) });
    }
  }

  private outgoingSdp(sdp: string | undefined): string {
    return this.settings.privacy ? privacySafeSdp(sdp ?? '') : (sdp ?? '');
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

/** Merges `config` over rtcConnectorDefaults and checks it; throws Error('Invalid Swarmcast config: ...'). */
export function resolveRtcConnectorConfig(config: Partial<RtcConnectorConfig> = {}): RtcConnectorConfig {
  const resolved: RtcConnectorConfig = { ...rtcConnectorDefaults, ...config };
  // Configs come from JavaScript callers too: check at run time.
  if (typeof resolved.privacy !== 'boolean') {
    throw new Error(`Invalid Swarmcast config: privacy must be true or false, got ${JSON.stringify(resolved.privacy)}`);
  }
  if (resolved.privacy && config.iceTransportPolicy !== undefined && config.iceTransportPolicy !== 'relay') {
    throw new Error(`Invalid Swarmcast config: privacy: true connects through TURN relays only; iceTransportPolicy must be 'relay' or unset, got '${config.iceTransportPolicy}'`);
  }
  for (const key of ['iceDisconnectGraceMs', 'iceRestartTimeoutMs'] as const) {
    const value: unknown = resolved[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_PATH_WAIT_MS) {
      throw new Error(`Invalid Swarmcast config: ${key} must be an integer number of ms from 0 to ${MAX_PATH_WAIT_MS}, got ${JSON.stringify(value)}`);
    }
  }
  return resolved.privacy ? { ...resolved, iceTransportPolicy: 'relay' } : resolved;
}

/** WebRTC connections for the core, with the browser's RTCPeerConnection. */
export function createRtcConnector(config: Partial<RtcConnectorConfig> = {}): PeerConnector {
  const resolved = resolveRtcConnectorConfig(config);
  const iceServersFor = (options: ConnectOptions): RTCIceServer[] => mergeIceServers(resolved.iceServers, options.trackerIceServers);
  return {
    connect: (_remotePeerId, initiator, events, options) =>
      new RtcPeerLink(
        {
          rtc: { iceServers: iceServersFor(options), iceTransportPolicy: resolved.iceTransportPolicy },
          privacy: resolved.privacy,
          bufferedAmountLowThresholdBytes: resolved.bufferedAmountLowThresholdBytes,
          iceDisconnectGraceMs: resolved.iceDisconnectGraceMs,
          iceRestartTimeoutMs: resolved.iceRestartTimeoutMs,
        },
        initiator,
        events,
      ),
    refusal: (options) => relayRefusal(resolved, iceServersFor(options)),
  };
}

/** A relay-only connector with no TURN server could never connect: it says so instead of trying. */
export function relayRefusal(config: Pick<RtcConnectorConfig, 'iceTransportPolicy' | 'privacy'>, iceServers: readonly RTCIceServer[]): string | undefined {
  if (config.iceTransportPolicy !== 'relay' || hasTurnServer(iceServers)) return undefined;
  return config.privacy
    ? 'privacy mode connects through TURN relays only, and no TURN server is known (none configured in iceServers, none announced by the tracker)'
    : "iceTransportPolicy 'relay' needs a TURN server, and none is known (none configured in iceServers, none announced by the tracker)";
}
