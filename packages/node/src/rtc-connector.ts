/**
 * WebRTC connections for the core on node-datachannel's native API (libdatachannel). One
 * PeerConnection with one pre-negotiated, ordered, reliable DataChannel (label 'swarmcast', id 0),
 * exactly as packages/browser/src/rtc-connector.ts sets it up, so Node and Chromium peers interoperate;
 * trickle ICE through the tracker.
 */
import type { ConnectOptions, PeerConnector, PeerLinkEvents, PendingPeerLink } from '@swarmcast/core';
import type { ConnectionSignal } from '@swarmcast/protocol';
import { isSameSession, mergeIceServers, PathWatchdog } from '@swarmcast/browser';
import nodeDataChannel, { type DataChannel, type PeerConnection, type RtcConfig } from 'node-datachannel';
import { nodeClock } from './node-clock.js';
import { resolveNodeRtcConfig, type NodeRtcConfig } from './rtc-config.js';
import { toNdcIceServers } from './ice-config.js';
import { RtcLinkBook, type RtcLinkInfo, type RtcLinkRecord } from './rtc-link-stats.js';

/** The core's connector, plus what each connection did (for stats and the NAT traversal tests). */
export interface NodeRtcConnector extends PeerConnector {
  /** Connections made so far (the last MAX_LINK_RECORDS), oldest first; live ones show their current candidate pair. */
  links(): RtcLinkInfo[];
}

/** Most remote candidates queued before the remote description arrives. */
const MAX_QUEUED_CANDIDATES = 64;

/** One PeerConnection + its negotiated DataChannel. Every native callback is guarded: a throw there aborts the process. */
class NodePeerLink implements PendingPeerLink {
  private readonly pc: PeerConnection;
  private readonly dc: DataChannel;
  private readonly queuedCandidates: { candidate: string; mid: string }[] = [];
  /**
   * The offerer's own candidates, held until the remote answer is applied. libdatachannel 0.24
   * hands an answer to ICE before it stores the answer's fingerprint: if the answerer's checks
   * have already arrived, ICE connects at once and DTLS checks the peer's certificate against no
   * fingerprint ("unknown CA", ~1 in 6 Node-to-Node connections on loopback). Without our
   * candidates the answerer cannot check us before then; our own checks, started by its
   * candidates, connect as fast.
   */
  private heldCandidates: ConnectionSignal[] | undefined;
  /** Once open: a broken path is given iceDisconnectGraceMs, then the link closes (no ICE restart here). */
  private readonly watchdog: PathWatchdog;
  private closed = false;
  private opened = false;

  constructor(
    rtc: RtcConfig,
    settings: { readonly lowWaterBytes: number; readonly iceDisconnectGraceMs: number },
    initiator: boolean,
    private readonly events: PeerLinkEvents,
    readonly record: RtcLinkRecord,
  ) {
    this.pc = new nodeDataChannel.PeerConnection('swarmcast', rtc);
    this.watchdog = new PathWatchdog({ graceMs: settings.iceDisconnectGraceMs, restartTimeoutMs: 0, role: 'none' }, nodeClock, {
      interrupted: () => {
        this.guard(() => this.events.interrupted?.());
      },
      resumed: (restarted) => {
        this.guard(() => this.events.resumed?.(restarted));
      },
      restart: () => undefined,
      giveUp: (reason) => {
        this.fail(reason);
      },
    });
    // Both 'closed' listeners must exist: node-datachannel releases its callbacks (and the event loop) on them.
    this.pc.onStateChange((state) => {
      this.guard(() => {
        if (state === 'closed' || (state === 'failed' && !this.opened)) this.fail(`connection ${state}`);
        else if (this.opened && (state === 'disconnected' || state === 'failed')) this.watchdog.pathDown(state === 'failed');
        else if (this.opened && state === 'connected') this.watchdog.pathUp();
      });
    });
    this.pc.onLocalDescription((sdp, type) => {
      this.guard(() => {
        if (type === 'offer' || type === 'answer') this.events.signal({ kind: 'description', sdpType: type, sdp });
      });
    });
    this.pc.onLocalCandidate((candidate, mid) => {
      this.guard(() => {
        // libdatachannel writes the SDP attribute form; browsers' addIceCandidate wants 'candidate:...'.
        const signal: ConnectionSignal = { kind: 'candidate', candidate: candidate.replace(/^a=/, ''), sdpMid: mid, sdpMLineIndex: 0 };
        if (this.heldCandidates === undefined) this.events.signal(signal);
        else this.heldCandidates.push(signal);
      });
    });
    // Negotiated id 0 on both sides: no in-band open handshake, no ondatachannel race (as in the browser).
    this.dc = this.pc.createDataChannel('swarmcast', { negotiated: true, id: 0 });
    this.dc.setBufferedAmountLowThreshold(settings.lowWaterBytes);
    this.dc.onOpen(() => {
      this.guard(() => {
        this.opened = true;
        this.record.opened(this.pc.getSelectedCandidatePair());
        this.events.open();
      });
    });
    this.dc.onMessage((message) => {
      this.guard(() => {
        if (typeof message === 'string') {
          this.fail('text message on the data channel');
          return;
        }
        const bytes = message instanceof ArrayBuffer ? new Uint8Array(message) : new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
        this.record.receivedBytes += bytes.length;
        this.events.message(bytes);
      });
    });
    this.dc.onBufferedAmountLow(() => {
      this.guard(() => this.events.drain());
    });
    this.dc.onError((error) => {
      this.guard(() => this.fail(`data channel error: ${error}`));
    });
    this.dc.onClosed(() => {
      this.guard(() => this.fail('data channel closed'));
    });
    if (initiator) {
      this.heldCandidates = [];
      this.step(() => this.pc.setLocalDescription('offer'));
    }
  }

  setLowWaterBytes(bytes: number): void {
    if (this.closed) return;
    try {
      this.dc.setBufferedAmountLowThreshold(bytes);
    } catch {
      // The channel closed underneath: its close event follows.
    }
  }

  get bufferedAmountBytes(): number {
    if (this.closed) return 0;
    try {
      return this.dc.bufferedAmount();
    } catch {
      return 0;
    }
  }

  send(bytes: Uint8Array): void {
    if (this.closed || !this.dc.isOpen()) return;
    // false only means "queued": bufferedAmount and the low-water event carry the back-pressure.
    this.record.sentBytes += bytes.length;
    this.step(() => this.dc.sendMessageBinary(bytes));
  }

  /** Reads the selected candidate pair again (ICE may move to another pair while open). */
  refresh(): void {
    if (this.closed || this.record.state !== 'open') return;
    try {
      this.record.selected(this.pc.getSelectedCandidatePair());
    } catch {
      // Closing under us: the record keeps the last pair.
    }
  }

  receivedBytes(): Promise<number | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    try {
      return Promise.resolve(this.pc.bytesReceived());
    } catch {
      return Promise.resolve(undefined);
    }
  }

  renegotiates(offer: ConnectionSignal & { kind: 'description' }): boolean {
    if (!this.opened || this.closed) return false;
    const current = this.pc.remoteDescription();
    return current !== null && isSameSession(current.sdp, offer.sdp);
  }

  signal(data: ConnectionSignal): void {
    if (this.closed) return;
    if (data.kind === 'description' && data.sdpType === 'offer' && this.opened) {
      // The remote's ICE restart: libdatachannel cannot take one. Closing lets both engines replace the connection.
      this.fail('ice restart offered, which node-datachannel cannot do');
      return;
    }
    if (data.kind === 'description') {
      this.step(() => {
        this.pc.setRemoteDescription(data.sdp, data.sdpType);
        for (const c of this.queuedCandidates.splice(0)) this.pc.addRemoteCandidate(c.candidate, c.mid);
        if (data.sdpType === 'offer') this.pc.setLocalDescription('answer');
      });
      if (data.sdpType === 'answer') this.releaseCandidates();
      return;
    }
    // End-of-candidates markers carry nothing to add.
    if (data.candidate === '') return;
    const candidate = { candidate: data.candidate, mid: data.sdpMid ?? '0' };
    if (this.pc.remoteDescription() !== null) this.step(() => this.pc.addRemoteCandidate(candidate.candidate, candidate.mid));
    else if (this.queuedCandidates.length < MAX_QUEUED_CANDIDATES) this.queuedCandidates.push(candidate);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.destroy();
    this.record.closed('closed locally');
    try {
      this.dc.close();
    } catch {
      // Already destroyed by the library.
    }
    try {
      this.pc.close();
    } catch {
      // Same.
    }
  }

  /** Sends the offerer's held candidates, now that the answer (and its fingerprint) is stored. */
  private releaseCandidates(): void {
    const held = this.heldCandidates;
    this.heldCandidates = undefined;
    if (held === undefined || this.closed) return;
    for (const signal of held) {
      this.guard(() => this.events.signal(signal));
    }
  }

  /** A negotiation or send step: a throw (bad SDP, bad candidate, closed channel) closes the link with its reason. */
  private step(fn: () => unknown): void {
    try {
      fn();
    } catch (error) {
      this.fail(`negotiation failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Runs a native callback's work: nothing after close(), and nothing may escape. */
  private guard(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (error) {
      this.fail(`listener failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.record.closed(reason);
    this.close();
    try {
      this.events.close(reason);
    } catch {
      // A throwing listener must not reach the native callback.
    }
  }
}

/** WebRTC connections for the core in Node, on node-datachannel. */
export function createNodeRtcConnector(config: Partial<NodeRtcConfig> = {}): NodeRtcConnector {
  const resolved = resolveNodeRtcConfig(config);
  const book = new RtcLinkBook();
  const live = new Set<NodePeerLink>();
  const rtcFor = (options: ConnectOptions): RtcConfig => ({
    iceServers: toNdcIceServers(mergeIceServers(resolved.iceServers.map((s) => ({ ...s, urls: [...s.urls] })), options.trackerIceServers).map((s) => ({
      urls: typeof s.urls === 'string' ? [s.urls] : s.urls,
      ...(s.username === undefined ? {} : { username: s.username }),
      ...(s.credential === undefined ? {} : { credential: s.credential }),
    }))),
    iceTransportPolicy: resolved.iceTransportPolicy,
    disableAutoNegotiation: true,
    ...(resolved.bindAddress === undefined ? {} : { bindAddress: resolved.bindAddress }),
    ...(resolved.portRange === undefined ? {} : { portRangeBegin: resolved.portRange.beginPort, portRangeEnd: resolved.portRange.endPort }),
  });
  return {
    connect: (remotePeerId, initiator, events, options) => {
      for (const l of live) if (l.record.state === 'closed') live.delete(l);
      const record = book.add(remotePeerId);
      const link = new NodePeerLink(rtcFor(options), { lowWaterBytes: resolved.bufferedAmountLowThresholdBytes, iceDisconnectGraceMs: resolved.iceDisconnectGraceMs }, initiator, events, record);
      // Closed links leave the set at the next links() call.
      live.add(link);
      return link;
    },
    links: () => {
      for (const link of live) {
        if (link.record.state === 'closed') live.delete(link);
        else link.refresh();
      }
      return book.list();
    },
    refusal: (options) =>
      resolved.iceTransportPolicy === 'relay' && !rtcFor(options).iceServers.some((s) => typeof s !== 'string' && s.relayType !== undefined)
        ? "iceTransportPolicy 'relay' needs a TURN server, and none is known (none configured in iceServers, none announced by the tracker)"
        : undefined,
  };
}
