/**
 * What the viewer page reports about itself through `window.__swarmcastReport()`: the contract
 * between the page and the e2e harness / benchmark. Plain JSON (it crosses the page boundary).
 */

/** Where the bytes of one segment came from. */
export type SegmentSource = 'http' | 'p2p';

/** One media segment handed to hls.js. */
export interface SegmentRecord {
  /** Rendition id as the P2P library names it (the hls.js level index for the plain player). */
  readonly rendition: string;
  /** Media sequence number. */
  readonly sn: number;
  readonly source: SegmentSource;
  /** Segment size in bytes. */
  readonly bytes: number;
  /** SHA-256 of the segment bytes, lower-case hex (WebCrypto). */
  readonly sha256: string;
  /** When it was handed to the player, in ms since the epoch on the browser's clock (as PeerDisconnect.atMs). */
  readonly atMs: number;
  /** From the player asking for it to the hand-over, ms (a seek that waited: did the load take the time, or the player?). */
  readonly loadMs: number;
}

/** A peer connection that ended, as the P2P engine reported it. */
export interface PeerDisconnect {
  /** The remote's tracker id. */
  readonly peerId: string;
  /** Why: 'protocol violation: ...', 'integrity violation: ...', 'link closed: ...', ... */
  readonly reason: string;
  /**
   * When, in ms since the epoch on the browser's own clock (performance.timeOrigin +
   * performance.now()): comparable between pages of one browser.
   */
  readonly atMs: number;
}

/** A peer connection became ready, or its path broke or came back, as the P2P engine reported it. */
export interface PeerPathEvent {
  /** The remote's tracker id. */
  readonly peerId: string;
  /** 'connected': ready (new); 'interrupted': path broke; 'resumed': back by itself; 'restarted': back after an ICE restart. */
  readonly kind: 'connected' | 'interrupted' | 'resumed' | 'restarted';
  /** When, in ms since the epoch on the browser's clock (as PeerDisconnect.atMs). */
  readonly atMs: number;
}

/** How the engine's connections fared when their paths broke (zeros without P2P). */
export interface LinkFigures {
  /** Paths that broke (ICE disconnected or failed). */
  readonly interruptions: number;
  /** Broken paths that came back by themselves. */
  readonly recoveries: number;
  /** Broken paths that came back after an ICE restart. */
  readonly restarts: number;
  /** Connections closed while their path was broken (replaced by others). */
  readonly interruptedClosed: number;
}

/** The tracker connection came up (joined) or went down, as the P2P engine reported it. */
export interface TrackerEvent {
  readonly kind: 'connected' | 'disconnected';
  /** When, in ms since the epoch on the browser's clock (as PeerDisconnect.atMs). */
  readonly atMs: number;
}

/** See EngineStats.seederAttempts, seederDeliveries, seederWaitMs, httpFetchesAfterSeeder. */
export interface SeederFigures {
  readonly attempts: number;
  readonly deliveries: number;
  readonly waitMs: number;
  readonly httpFetchesAfter: number;
}

/** How the engine checked peers' bytes and whom it cut off (zeros without P2P). */
export interface IntegrityFigures {
  /** Segments from peers that matched their signed record. */
  readonly segmentsVerified: number;
  /** Peers cut off for bytes that did not match a signed record. */
  readonly integrityFailures: number;
  /** Peers cut off for breaking the protocol or sending bad bytes. */
  readonly peerViolations: number;
  /** Time in SHA-256 of segments from peers (ms, awaits included), and how many. */
  readonly hashMs: number;
  readonly segmentsHashed: number;
  /** Time in Ed25519 checks of segment records (ms, awaits included), and how many. */
  readonly signatureMs: number;
  readonly signaturesChecked: number;
  /** Live records documents fetched over HTTP while the tracker was down (the page's `records` param). */
  readonly liveRecordFetches?: number;
  /** Records refused for a bad signature or an unknown key. */
  readonly recordsRejected?: number;
}

/** One stall: when it began, in ms since the epoch on the browser's clock, and its length in ms. */
export interface StallRecord {
  readonly atMs: number;
  readonly durationMs: number | null;
}

/** Each step in ms since hls.js attach (the startup clock's zero); null until it happens. */
export interface StartupTimeline {
  /** From navigation start to the page's script attaching hls.js: the page's own load. */
  readonly scriptStartMs: number;
  readonly manifestLoadedMs: number | null;
  /** The first media playlist. */
  readonly levelLoadedMs: number | null;
  /** hls.js asked its loader for the first media fragment (init segments not counted). */
  readonly firstFragRequestMs: number | null;
  /** The loader handed that fragment back. */
  readonly firstFragLoadedMs: number | null;
  /** Its bytes were appended to the media buffer. */
  readonly firstFragBufferedMs: number | null;
  /** The second media fragment's request: hls.js usually needs two before it plays. */
  readonly secondFragRequestMs: number | null;
  readonly secondFragLoadedMs: number | null;
  /** The first 'playing' event (the end of startup). */
  readonly playingMs: number | null;
}

export interface ViewerReport {
  /** true when the page runs the P2P library; false for the plain hls.js baseline. */
  readonly p2p: boolean;
  /** From hls.js attach to the first 'playing' event, in ms; null while not yet playing. */
  readonly startupMs: number | null;
  /** When each step of startup happened (ms since hls.js attach). Optional for reports made by hand (tests of figures). */
  readonly startupTimeline?: StartupTimeline;
  /** The video is playing now (not paused, not stalled, not ended). */
  readonly playing: boolean;
  /** 'waiting' events after the first 'playing', seeks excluded. */
  readonly stalls: number;
  /** Total time spent stalled, in ms (includes a stall still in progress). */
  readonly stalledMs: number;
  /** The first stalls, when each began and how long it lasted (null while in progress), for diagnosis. */
  readonly stallLog: readonly StallRecord[];
  /** Time since the first 'playing', in ms. */
  readonly watchMs: number;
  /** Mean of hls.latency sampled every second after playing (live only); null otherwise. */
  readonly liveLatencySec: number | null;
  /** The last hls.latency sample; null before playing or for VOD. */
  readonly currentLatencySec: number | null;
  /** Segment bytes fetched over HTTP. */
  readonly httpBytes: number;
  /** Segment bytes received from peers. */
  readonly p2pBytes: number;
  /** Segment bytes sent to peers. */
  readonly uploadedBytes: number;
  /** Non-data bytes of the P2P protocol (tracker + peer control messages). */
  readonly controlBytes: number;
  /** Connected peers now. */
  readonly peers: number;
  /** This viewer's tracker id (null before joining, and without P2P). */
  readonly peerId: string | null;
  /** Peer connections that ended, oldest first (the latest 200). */
  readonly disconnects: readonly PeerDisconnect[];
  /** Tracker connections made and lost, oldest first (the latest 200; empty without P2P). */
  readonly trackerEvents: readonly TrackerEvent[];
  /** Peer connections made, broken and back, oldest first (the latest 200; empty without P2P). */
  readonly pathEvents: readonly PeerPathEvent[];
  readonly links: LinkFigures;
  readonly integrity: IntegrityFigures;
  /**
   * HTTP segment fetches by why they went to HTTP (the engine's EngineStats.httpFetchReasons:
   * slack, slackHeld, designated, unannounced, peerBusy, ...); null without P2P. Optional for
   * reports made by hand (tests of figures).
   */
  readonly httpFetchReasons?: Readonly<Record<string, number>> | null;
  /** Loads due too soon for peers that asked a seeder: how many, how many it served, ms spent in all; null without P2P. Optional as httpFetchReasons. */
  readonly seeder?: SeederFigures | null;
  /** Peers' silences that read as lies but were excused, by why (EngineStats.silencesExcused); null without P2P. Optional as httpFetchReasons. */
  readonly silencesExcused?: Readonly<Record<string, number>> | null;
  /** Peers' requests answered BUSY by why (EngineStats.uploadRefusals); null without P2P. Optional as httpFetchReasons. */
  readonly uploadRefusals?: Readonly<Record<string, number>> | null;
  /** Our requests to peers by how they ended, and the time the delivered and late ones had (EngineStats.peerAttempts); null without P2P. Optional as httpFetchReasons. */
  readonly peerAttempts?: Readonly<Record<string, number>> | null;
  /** Late transfers that went on for a head while HTTP fetched the tail (EngineStats.lateSplits); null without P2P. Optional as httpFetchReasons. */
  readonly lateSplits?: Readonly<Record<string, number>> | null;
  /** WANT messages sent and received, segments fetched early for one, predicted URLs the player named otherwise (EngineStats.wantsSent...); null without P2P. Optional as httpFetchReasons. */
  readonly wants?: Readonly<Record<string, number>> | null;
  /** controlBytes by message type, 'data' the DATA headers (EngineStats.controlBytesSentByType); null without P2P. Optional as httpFetchReasons. */
  readonly controlBytesByType?: Readonly<Record<string, number>> | null;
  /** The engine's measured uplink (EngineStats.uplinkBytesPerSec); null unmeasured or without P2P. Optional as httpFetchReasons. */
  readonly uplinkBytesPerSec?: number | null;
  /** The engine's delay-based upload pace (EngineStats.uploadPaceBytesPerSec); null none or without P2P. Optional as httpFetchReasons. */
  readonly uploadPaceBytesPerSec?: number | null;
  /** How late the engine's timers fire (EngineStats.timerLagMs); null without P2P. Optional as httpFetchReasons. */
  readonly timerLagMs?: number | null;
  /** How long after the engine started it joined the swarm (EngineStats.joinDelayMs); null without P2P or before. Optional as httpFetchReasons. */
  readonly joinDelayMs?: number | null;
  /** Every hls.js error, fatal or not, as `type:details`. */
  readonly hlsErrors: readonly string[];
  /** The fatal ones among hlsErrors, as `type:details`. */
  readonly hlsFatalErrors: readonly string[];
  /** Segments handed to hls.js, in order, hashed. Hashing is async: the newest may lag by a tick. */
  readonly segments: readonly SegmentRecord[];
}

declare global {
  interface Window {
    __swarmcastReport?: () => ViewerReport;
    /** Resolves once every segment handed to hls.js so far is hashed (read the report after it). */
    __swarmcastSettled?: () => Promise<void>;
    /**
     * Pins the player to rendition `level` (index in the master playlist, lowest first): at once
     * (buffer flushed) or, with `smooth`, from the next segment on, as an ABR switch would.
     */
    __swarmcastSetLevel?: (level: number, smooth: boolean) => void;
  }
}
