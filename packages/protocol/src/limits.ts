/** Version of the peer wire format, sent in HELLO; peers with another version are disconnected. */
export const PEER_PROTOCOL_VERSION = 7;
/** Version of the tracker message format, sent in join and welcome. */
export const TRACKER_PROTOCOL_VERSION = 1;

/** Hard limits of both wire formats. Decoders reject anything beyond them. */
export const LIMITS = {
  /** Largest peer message, header included: Chromium's DataChannel ceiling is 256 KiB. */
  maxPeerMessageBytes: 256 * 1024,
  /** Largest DATA payload in one message. */
  maxChunkBytes: 256 * 1024 - 64,
  /** Longest rendition or peer id, in UTF-8 bytes. */
  maxIdBytes: 64,
  /** Most entries in one HAVE-MAP. */
  maxHaveMapEntries: 4096,
  /** Largest segment a peer may offer (u32 fields, but bounded lower to cap memory). */
  maxSegmentBytes: 64 * 1024 * 1024,
  /** Largest tracker message, as UTF-8 text. */
  maxTrackerMessageBytes: 64 * 1024,
  /** Longest swarm id. */
  maxSwarmIdLength: 512,
  /** Longest SDP blob relayed through the tracker. */
  maxSdpLength: 32 * 1024,
  /** Longest ICE candidate line. */
  maxCandidateLength: 1024,
  /** Most segment records in one records message. */
  maxRecordsPerMessage: 64,
  /** Most integrity keys a tracker announces. */
  maxIntegrityKeys: 4,
  /** Longest join token. */
  maxJoinTokenLength: 4096,
  /** Most peer ids in one peers/joined message. */
  maxPeersInList: 64,
  /** Most ICE servers a tracker announces in welcome. */
  maxIceServers: 4,
  /** Most URLs of one announced ICE server. */
  maxIceServerUrls: 4,
  /** Longest announced ICE server URL. */
  maxIceUrlLength: 256,
  /** Longest TURN username or credential. */
  maxIceCredentialLength: 128,
  /** Largest byte counter in a peer summary: 1 PiB, far beyond any viewer, still exact in a double. */
  maxSummaryBytes: 2 ** 50,
  /** Largest peer count in a peer summary. */
  maxSummaryPeers: 65_535,
  /** Longest group label in join. */
  maxGroupLength: 64,
} as const;

/** A group label (an office, a site): peers of a group are introduced only to each other. */
export const GROUP_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * An ICE server URL as RFC 7064 / RFC 7065 spell it, restricted to what a browser surely parses:
 * `stun:host[:port]` or `turn:` / `turns:host[:port][?transport=udp|tcp]`, host a name, an IPv4
 * address or a bracketed IPv6 address. No credentials inside the URL.
 */
export const ICE_URL_PATTERN = /^(?:stun:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?|turns?:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:\?transport=(?:udp|tcp))?)$/;

/** Ids (peer ids, renditions) are short printable tokens. */
export const ID_PATTERN = /^[A-Za-z0-9._~-]{1,64}$/;

/**
 * User-Agent of the integrity authority's origin fetches, so an origin (ours counts them apart) and
 * operators' CDN logs can tell its one copy per segment from viewers' traffic.
 */
export const INTEGRITY_AUTHORITY_USER_AGENT = 'swarmcast-integrity-authority/1';
