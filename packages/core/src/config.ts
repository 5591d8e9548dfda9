/** Settings of the P2P engine: what each one means (EngineConfig), and where its default and its checks live. */
import type { IntegrityKey } from '@swarmcast/protocol';

/** Settings of the P2P engine. Every field has its unit in its name. */
export interface EngineConfig {
  /**
   * WebSocket URL of the tracker. Required unless trackerUrls is given (then it defaults to the first).
   * @default ''
   */
  trackerUrl: string;
  /**
   * Several tracker URLs (nodes of one cluster, or one load balancer each): the client starts with the
   * first and moves to the next after each lost connection, and at once when a node announces its
   * shutdown. At most MAX_TRACKER_URLS. @default [] (trackerUrl alone)
   */
  trackerUrls: string[];
  /** Swarm id: every viewer of the same stream must use the same one. @default '' (required) */
  swarmId: string;
  /** Most peer connections held at once. @default 16 */
  maxPeers: number;
  /** Below this many peers the engine asks the tracker for more. @default 4 */
  minPeers: number;
  /** A connection not open after this long is dropped. @default 10000 */
  connectTimeoutMs: number;
  /** Least wait between two requests for more peers. @default 5000 */
  peerRefillIntervalMs: number;
  /**
   * A peer we offered a connection that never opened (no path between the two: say both behind
   * NATs that only a TURN relay can join, and none is configured) is not offered one again for
   * this long, doubled at each further failure up to 8x; the slot goes to other peers at once.
   * 0 = offer again whenever the tracker lists it. @default 30000
   */
  failedConnectRetryMs: number;
  /**
   * Upload announced to peers and the tracker, kbit/s. 0: not known, so peers are told the best the
   * upload meter measured in the last 40 s (in steps of two, an UPLINK message when the step
   * changes; see uplink-announcer.ts). A figure here is announced as it is, never replaced by a
   * measure. @default 0
   */
  uploadKbps: number;
  /**
   * Bytes per DATA message. A relay passes a segment on chunk by chunk as it arrives (cut-through),
   * so each hop delays it by about one chunk's time on the sender's uplink: 16 KiB take 0.33 s at
   * 400 kbit/s, 4 KiB 0.08 s. Measured in the simulator (300 peers, the upload mix, seeds
   * 7-9): P2P share 80.5 % at 16 KiB, 82.1 % at 8 KiB, 83.4 % at 4 KiB, no better at 2 KiB; the
   * DATA headers then cost 0.3 % of the bytes. @default 4096
   */
  chunkBytes: number;
  /** Stop sending while the DataChannel buffers more than this. @default 1048576 */
  sendHighWaterBytes: number;
  /** Concurrent uploads served to one peer; more get BUSY. @default 4 */
  maxUploadsPerPeer: number;
  /**
   * Uploads that may send at once, all peers together: the requester that announced the larger
   * uplink first, then the oldest; the others wait their turn, sending QUEUED every
   * p2pStallTimeoutMs / 3 (so no requester reads them as silent). Sending one copy at a time at the
   * uplink's full rate, rather than several at a share each, completes the first copy several times
   * sooner, and a complete copy is a new source: a live segment spreads through the swarm in fewer,
   * shorter generations. A relay waiting for bytes does not hold a slot. 0 = no limit (every
   * accepted upload shares the uplink). Urgent requests (a REQUEST's withinMs below
   * uploadCommitMs: seeks, thin buffers, LL-HLS parts) never wait behind the others. @default 1
   */
  uploadSlots: number;
  /**
   * Cap on the DATA this peer sends to all its peers together, bytes per second (0 = no cap): an
   * office edge peer or a viewer on a metered uplink. Requests the capped uplink could not serve in
   * time (see uploadAdmissionDelayMs) are answered BUSY. @default 0
   */
  uploadCapBytesPerSec: number;
  /**
   * Queueing delay our uploads aim at, ms (0 = no such pace). Requesters report when each chunk
   * reached them (RECEIPT); a one-way delay above its least by more than this is a queue filling on
   * our uplink (a home router's buffer), and the uploads are paced down until it drains, then up
   * again while they want more (delay-based, as LEDBAT does for BitTorrent's uTP). Several WebRTC
   * connections sending at once on one uplink otherwise fill its queue until packets are dropped,
   * and each transfer then waits for retransmissions. Below 100 ms, a loaded receiver's event loop
   * reads as queueing. @default 100
   */
  uploadDelayTargetMs: number;
  /**
   * Group label sent in join (an office, a site): the tracker introduces this peer only to peers
   * of the same group; peers without one meet only peers without one. 1-64 of [A-Za-z0-9._-].
   * @default undefined (no group)
   */
  group: string | undefined;
  /** Memory budget of the segment store. @default 67108864 */
  storeBudgetBytes: number;
  /**
   * Most peers of a neighbourhood (us and our peers) that fetch each new segment over HTTP, chosen
   * by rendezvous hashing so all agree without talking. @default 3
   */
  httpFetchersPerSegment: number;
  /** One HTTP fetcher per this many of us and our peers (at least one, at most httpFetchersPerSegment). @default 8 */
  peersPerHttpFetcher: number;
  /** Longest time a non-designated peer waits for a new segment to appear among its peers. @default 3000 */
  maxAnnounceWaitMs: number;
  /**
   * Time kept in hand before a deadline for an HTTP download to finish. A P2P attempt that cannot
   * finish by deadline minus this switches to HTTP. Once this viewer's HTTP fetches are measured,
   * the margin is three times what a whole segment's fetch takes (its recent high), within
   * [minHttpSafetyMs, httpSafetyMs]. @default 1500
   */
  httpSafetyMs: number;
  /** The least time kept for HTTP however fast it was measured (see httpSafetyMs). @default 500 */
  minHttpSafetyMs: number;
  /** With less than this left before a segment's deadline, go to HTTP at once (startup). @default 2000 */
  minP2pSlackMs: number;
  /**
   * When every peer asked for a segment answered BUSY and at least minP2pSlackMs is
   * still left before its deadline, wait up to this long for a peer to announce it (a new holder,
   * or one that got it since), then ask them all again: their queues move, and each says honestly
   * whether it can still serve in time. 0 = go to HTTP at once. @default 300
   */
  busyRetryWaitMs: number;
  /**
   * ...unless a seeder (a peer the tracker names as fetching every segment over HTTP: an edge peer)
   * holds it or is receiving it: then the segment is asked of the seeder, and HTTP (a Range request
   * for what the seeder did not send) starts at most this long later. At startup the load also waits
   * up to this long for a listed seeder's connection to open (each connection is waited for this
   * long at most, whatever the loads). Never waits when no seeder is known (before the tracker's
   * answer too); never for LL-HLS parts (due too soon). 0 = never ask a seeder for a segment due in less
   * than minP2pSlackMs. @default 400, or 1200 with expectSeeder (an office's viewers wait for their
   * edge peer: a joiner's connection to it takes longer when many viewers join at once, and what
   * the edge does not serve crosses the office's CDN link)
   */
  seederWaitMs: number;
  /**
   * An edge peer serves this viewer (an office with an edge box): before the tracker's first answer
   * a load due too soon for peers waits for it too, to learn of the seeder, for seederWaitMs at most
   * in all (one budget for every load; not again once the tracker answered). Startup pays about one
   * round trip to the tracker so that even the first segment can come from the edge. @default false
   */
  expectSeeder: boolean;
  /**
   * With no seeder to ask, a segment due in less than minP2pSlackMs but more than httpSafetyMs (the
   * segments after the first at startup, a thin buffer) is asked of a connected peer that holds it
   * whole and was never late, for at most this long and never past deadline minus httpSafetyMs; the
   * rest comes over HTTP with a Range request. On a loopback or LAN path a peer sends a segment in
   * tens of milliseconds; a joiner's second and third segments need not cost the CDN a copy each.
   * 0 = never. @default 400
   */
  urgentPeerWaitMs: number;
  /**
   * A transfer from a peer that will not be complete by its P2P deadline is split (late-split.ts):
   * the peer goes on with the head of the rest, as far as this share of its pace so far takes it by
   * the deadline minus two HTTP fetch times, while a Range request fetches the tail. 0 = off (the
   * whole rest over HTTP at the P2P deadline). Off by default: +1.1 points in the simulator's
   * constrained check with 0.7, but in starved browsers 28-30 % of the heads fell short (1.4 % in the
   * simulator) and both measured pairs did worse with it (docs/benchmarks.md, 2026-12-06).
   * @default 0
   */
  lateSplitPaceShare: number;
  /**
   * A relay (a peer still receiving the segment itself) sends it on no faster than its own copy
   * arrives. Once its bytes have come for this long, a transfer that at its pace so far would end
   * after the P2P deadline is cancelled and the rest asked of a peer not asked yet that holds the
   * whole segment, did not answer BUSY lately, and whose announced upload (uploadKbps in its HELLO)
   * sends the rest with 500 ms to spare. Without announced uploads it never happens. 0 = never.
   * Measured in the simulator, the upload mix (300 peers x 120 s, seeds 7-12): +1.05 points
   * of P2P share, no seed worse; 1,000 peers x 60 s: +1.2; no change where all uplinks are alike.
   * @default 250
   */
  relayHandoverAfterMs: number;
  /**
   * This peer fetches every new segment over HTTP as it appears and serves it (an edge peer): the
   * tracker lists it to joiners first and names it a seeder, and its neighbours leave HTTP fetching
   * to it. Set by EdgePeer; a viewer must not set it. @default false
   */
  seeder: boolean;
  /** A P2P request with no byte for this long is given up. @default 1500 */
  p2pStallTimeoutMs: number;
  /**
   * A peer that announced a segment as held and then went wholly silent on our request (no message
   * of any kind, and its transport received nothing since the request left, not even an
   * acknowledgement; see PeerLink.receivedBytes) may be a dead path rather than a liar (WebRTC
   * reports a broken path only after seconds: 5-8 s in Chromium). It is not used meanwhile, and judged: a dead path once the connection reports
   * it (no fault), a liar when it talks again without having served, or when this long passes with
   * neither (cut off as a protocol violation). Longer than the connection's own detection. @default 10000
   */
  silentPeerVerdictMs: number;
  /**
   * httpSafetyMs for an LL-HLS part (a part is a fraction of a segment, wanted within about a
   * second of its appearance): HTTP still fetches one in this much. @default 300
   */
  partHttpSafetyMs: number;
  /** minP2pSlackMs for an LL-HLS part: with less left before its deadline, HTTP at once. @default 600 */
  partMinP2pSlackMs: number;
  /**
   * A peer's request is answered BUSY when our uplink (measured while it is backlogged), serving our
   * uploads in turn, would not get its first chunk out within this long, or not finish it within the
   * time the requester waits (its REQUEST's withinMs) without making an upload accepted before it
   * late. An admitted request waiting its turn is told so (QUEUED) every p2pStallTimeoutMs / 3.
   * A long wait for the first chunk keeps the requester from a holder that may free up sooner.
   * 0 = accept every request up to maxUploadsPerPeer. @default 250
   */
  uploadAdmissionDelayMs: number;
  /**
   * A request whose requester waits less than this for it (a seek, a thin buffer, an LL-HLS part)
   * is urgent: it goes before the others (see uploadSlots). 0 = none is. @default 1500
   */
  uploadCommitMs: number;
  /**
   * Fetch the segment after the player's latest from peers as soon as a neighbour announces it,
   * before the player's playlist shows it (never over HTTP unless the player then asks). @default true
   */
  prefetchNext: boolean;
  /**
   * 'required': bytes from peers reach the player only once they match the segment's signed record
   * (size + SHA-256, Ed25519-signed by the integrity authority). 'off' trusts peers: for closed
   * networks and the simulator only. @default 'required'
   */
  integrity: 'required' | 'off';
  /** Pinned signing keys. Empty: trust the keys the tracker announces. @default [] */
  integrityPublicKeys: IntegrityKey[];
  /**
   * Where signed VOD hash lists are fetched (GET `${integrityListUrl}?swarm=...&rendition=...`, through
   * the HttpPort): one list per rendition, one Ed25519 signature over the whole rendition, fetched the
   * first time a peer's segment of that rendition has no record yet. A 404 or any failure (live
   * streams have no list) is not retried. @default undefined: derived from trackerUrl, ws:// -> http://,
   * wss:// -> https://, path `/integrity/vod` (see integrityListUrlOf)
   */
  integrityListUrl: string | undefined;
  /**
   * Where live segment records are fetched over HTTP while the tracker is down (GET
   * `${integrityRecordsUrl}?swarm=...&rendition=...`, through the HttpPort): the records server of
   * `swarmcast sign --records-port`, a CDN path in front of it, or any tracker node's /integrity/live.
   * With it, peers keep trading segments through a tracker outage; without it, a segment whose record
   * did not come before the outage is fetched over HTTP. Every record is checked against the signing
   * keys as one from the tracker. @default undefined (records come from the tracker only)
   */
  integrityRecordsUrl: string | undefined;
  /** Signed records kept (oldest dropped first). @default 8192 */
  maxRecords: number;
  /**
   * start() joins the swarm (tracker, then peer connections) once the player has its first segment
   * buffered (Engine.playerStarted(), which the player integrations call), or after this long at
   * most. Making WebRTC connections costs CPU the starting player needs, while the first segments
   * come over HTTP anyway (due at once): `npm run bench:startup` (a live joiner among 5 playing
   * viewers, 2 cores) measured +356 ms against plain hls.js joining at once, -77 ms this way. Ignored with seeder or expectSeeder (they join at once: the edge serves
   * even the first segment). 0 = join at once. @default 2000
   */
  maxJoinDelayMs: number;
  /** Tracker reconnect backoff: first delay. @default 1000 */
  trackerReconnectBaseMs: number;
  /**
   * Tracker reconnect backoff: largest delay (equal jitter: the delay at the cap is 50-100 % of it).
   * Also the worst wait for a re-join after a tracker comes back; 20 s spreads the peers of a
   * restarted tracker over 10 s. @default 20000
   */
  trackerReconnectMaxMs: number;
  /**
   * Join token for streams whose tracker requires one: a JWT from the site's token service, for this
   * stream's swarm id, sent in join. Up to LIMITS.maxJoinTokenLength characters. If the tracker refuses
   * it (TOKEN_REQUIRED / TOKEN_INVALID / TOKEN_EXPIRED / TOKEN_WRONG_STREAM), the engine emits `error`
   * with that code, stops reconnecting and plays over HTTP; Engine.setJoinToken() tries again.
   * @default undefined (no token)
   */
  joinToken: string | undefined;
  /**
   * How often this peer sends the tracker a summary of its counters (bytes by source, uploads,
   * segments, stalls, latency, peers) for the tracker's metrics and dashboard; only to a tracker
   * that asks for them in welcome, and never more often than it allows. 0 = never. @default 5000
   */
  summaryIntervalMs: number;
  /**
   * Half-life of the engine's HTTP throughput estimate (see HttpThroughput), in ms of HTTP transfer
   * time: how fast it follows a change of the network. @default 6000
   */
  httpThroughputHalfLifeMs: number;
  /**
   * The engine measures how late its own timers fire (a page short of CPU) and keeps that much more
   * time for HTTP, and asks for that much more slack before it tries peers; the measured high halves
   * in this long. 0 = not measured. @default 5000
   */
  timerLagHalfLifeMs: number;
}

export { engineDefaults } from './config-defaults.js';
export { MAX_TRACKER_URLS, joinTokenProblem, resolveEngineConfig } from './config-resolution.js';

/**
 * The URL signed VOD hash lists are fetched from: integrityListUrl when set, else the tracker's
 * host with ws:// -> http://, wss:// -> https:// and the path replaced by `/integrity/vod`.
 */
export function integrityListUrlOf(config: Pick<EngineConfig, 'trackerUrl' | 'integrityListUrl'>): string {
  if (config.integrityListUrl !== undefined) return config.integrityListUrl;
  const tracker = new URL(config.trackerUrl);
  return `${tracker.protocol === 'wss:' ? 'https' : 'http'}://${tracker.host}/integrity/vod`;
}
