/**
 * A remote peer driven by the test instead of an engine: it joins the memory tracker with the real
 * protocol, connects over the memory network like any peer (signaling through the tracker), and then
 * sends whatever the test wants, valid messages or raw bytes. For hostile-peer tests and for
 * precise scripting of what the engine under test receives (stalls, trickles, bad offsets).
 */
import {
  PEER_PROTOCOL_VERSION,
  TRACKER_PROTOCOL_VERSION,
  decodePeerMessage,
  encodePeerMessage,
  parseServerMessage,
  serializeMessage,
  type ClientMessage,
  type HaveMapEntry,
  type PeerMessage,
  type SignalData,
} from '@swarmcast/protocol';
import type { PendingPeerLink, TrackerSocket } from '../../src/ports.ts';
import type { MemoryNetwork, MemoryNode } from './memory-network.ts';
import type { MemoryTracker } from './memory-tracker.ts';

export interface ScriptedPeerOptions {
  readonly network: MemoryNetwork;
  readonly tracker: MemoryTracker;
  readonly swarmId: string;
  /** Node name on the memory network. */
  readonly name: string;
  /** Joins as a seeder (see EngineConfig.seeder). @default false */
  readonly seeder?: boolean;
}

/** One connection of a scripted peer. */
export class ScriptedLink {
  open = false;
  closeReason: string | undefined;
  /** Decoded messages received, in order. */
  readonly received: PeerMessage[] = [];
  /** Frames that did not decode. */
  readonly undecodable: Uint8Array[] = [];
  link: PendingPeerLink | undefined;

  constructor(
    readonly remotePeerId: string,
    readonly owner: ScriptedPeer,
  ) {}

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  send(msg: PeerMessage): void {
    this.sendRaw(encodePeerMessage(msg));
  }

  sendRaw(bytes: Uint8Array): void {
    if (!this.link || !this.open || this.closed) throw new Error(`ScriptedLink to ${this.remotePeerId}: not open`);
    this.link.send(bytes);
  }

  /** Sends HELLO (protocol version overridable) and a HAVE-MAP. */
  greet(options: { version?: number; uploadKbps?: number; haveMap?: readonly HaveMapEntry[] } = {}): void {
    this.send({
      type: 'hello',
      version: options.version ?? PEER_PROTOCOL_VERSION,
      peerId: this.owner.peerId ?? 'scripted',
      uploadKbps: options.uploadKbps ?? 0,
    });
    this.send({ type: 'haveMap', entries: options.haveMap ?? [] });
  }

  close(): void {
    this.closeReason ??= 'closed by script';
    this.open = false;
    this.link?.close();
  }

  /** Received messages of one type. */
  messages<T extends PeerMessage['type']>(type: T): Extract<PeerMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<PeerMessage, { type: T }> => m.type === type);
  }

  /** @internal */
  onMessage(bytes: Uint8Array): void {
    let msg: PeerMessage;
    try {
      msg = decodePeerMessage(bytes);
    } catch {
      this.undecodable.push(bytes);
      return;
    }
    // DATA payloads are views into the frame: keep a copy.
    this.received.push(msg.type === 'data' ? { ...msg, payload: msg.payload.slice() } : msg);
    this.owner.onMessage(msg, this);
  }
}

export class ScriptedPeer {
  peerId: string | undefined;
  readonly node: MemoryNode;
  readonly links = new Map<string, ScriptedLink>();
  /** Called for every decoded message; tests replace it to script answers. */
  onMessage: (msg: PeerMessage, link: ScriptedLink) => void = () => undefined;
  /** When false, offers are ignored (a peer whose connections never come up). */
  acceptOffers = true;
  /** Called when a connection opens; the default greets with an empty have-map. */
  onOpen: (link: ScriptedLink) => void = (link) => link.greet();
  private socket: TrackerSocket | undefined;
  private connected = false;

  constructor(private readonly options: ScriptedPeerOptions) {
    this.node = options.network.node(options.name);
  }

  /** Connects to the tracker and joins the swarm. */
  start(): void {
    this.socket = this.options.tracker.socketFactory('ws://tracker.test', {
      open: () => (this.connected = true),
      close: () => (this.connected = false),
      message: (text) => {
        const msg = parseServerMessage(text);
        if (msg.type === 'welcome') {
          this.peerId = msg.peerId;
          this.sendTracker({ type: 'join', protocol: TRACKER_PROTOCOL_VERSION, swarm: this.options.swarmId, uploadKbps: 0, ...(this.options.seeder === true ? { seeder: true } : {}) });
        } else if (msg.type === 'signal') {
          this.onSignal(msg.from, msg.data);
        }
      },
    });
  }

  /** Opens a connection to `peerId` as the offerer. */
  connect(peerId: string): ScriptedLink {
    return this.newLink(peerId, true);
  }

  /** The connection with `peerId`, if any. */
  linkTo(peerId: string): ScriptedLink | undefined {
    return this.links.get(peerId);
  }

  /** The only connection (fails if there is not exactly one). */
  get only(): ScriptedLink {
    const [first, ...rest] = [...this.links.values()];
    if (!first || rest.length > 0) throw new Error(`ScriptedPeer ${this.options.name}: ${this.links.size} links, expected 1`);
    return first;
  }

  stop(): void {
    for (const link of this.links.values()) link.close();
    this.socket?.close();
    this.socket = undefined;
  }

  private onSignal(from: string, data: SignalData): void {
    if (data.kind === 'decline') return;
    let scripted = this.links.get(from);
    if (!scripted || scripted.closed) {
      if (data.kind !== 'description' || data.sdpType !== 'offer' || !this.acceptOffers) return;
      scripted = this.newLink(from, false);
    }
    scripted.link?.signal(data);
  }

  private newLink(peerId: string, initiator: boolean): ScriptedLink {
    const scripted = new ScriptedLink(peerId, this);
    this.links.set(peerId, scripted);
    scripted.link = this.node.connect(peerId, initiator, {
      open: () => {
        scripted.open = true;
        this.onOpen(scripted);
      },
      message: (bytes) => scripted.onMessage(bytes),
      drain: () => undefined,
      close: (reason) => {
        scripted.open = false;
        scripted.closeReason ??= reason;
      },
      signal: (data) => this.sendTracker({ type: 'signal', swarm: this.options.swarmId, to: peerId, data }),
    });
    return scripted;
  }

  private sendTracker(msg: ClientMessage): void {
    if (this.connected) this.socket?.send(serializeMessage(msg));
  }
}
