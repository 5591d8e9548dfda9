/**
 * ICE server lists and candidate filtering for the RTC connector: how the player's own servers and
 * the tracker's combine, whether a TURN server is known, and the privacy filter that lets only relay
 * candidates leave the browser.
 */
import type { IceServer } from '@swarmcast/protocol';

function urlsOf(server: RTCIceServer): string[] {
  return typeof server.urls === 'string' ? [server.urls] : [...server.urls];
}

/**
 * The servers for a new connection: the player's configured ones first, then the tracker's.
 * Configured servers win: a tracker URL the player also configured is dropped from the tracker's
 * entry (so the player's credentials are the ones used for it), and an entry left with no URL goes.
 * A tracker's TURN URL without username and credential is dropped too: RTCPeerConnection would
 * throw on it.
 */
export function mergeIceServers(configured: readonly RTCIceServer[], fromTracker: readonly IceServer[]): RTCIceServer[] {
  const taken = new Set(configured.flatMap(urlsOf));
  const merged: RTCIceServer[] = [...configured];
  for (const server of fromTracker) {
    const usable = (u: string): boolean => !isTurnUrl(u) || (server.username !== undefined && server.credential !== undefined);
    const urls = server.urls.filter((u) => !taken.has(u) && usable(u));
    if (urls.length === 0) continue;
    merged.push({
      urls,
      ...(server.username === undefined ? {} : { username: server.username }),
      ...(server.credential === undefined ? {} : { credential: server.credential }),
    });
  }
  return merged;
}

function isTurnUrl(url: string): boolean {
  return /^turns?:/i.test(url);
}

/** Whether any server is a TURN server (turn: or turns:), the only way a relay-only connection can work. */
export function hasTurnServer(servers: readonly RTCIceServer[]): boolean {
  return servers.some((s) => urlsOf(s).some(isTurnUrl));
}

/**
 * The candidate type of an ICE candidate line (`candidate:... typ relay raddr ...`, RFC 8839 5.1),
 * or undefined when the line has none.
 */
export function candidateType(candidate: string): string | undefined {
  return /\styp\s+(\S+)/.exec(candidate)?.[1];
}

/** Privacy filter for trickled candidates: only relay candidates may leave the browser. */
export function isRelayCandidate(candidate: string): boolean {
  return candidateType(candidate) === 'relay';
}

/**
 * Privacy filter for descriptions: removes every `a=candidate` line that is not a relay candidate
 * and blanks the default address of `c=` lines (0.0.0.0 or ::, as trickle ICE allows: RFC 8840).
 * Chromium's offers and answers have no candidate and `c=IN IP4 0.0.0.0` before gathering; one made after it would not.
 */
export function privacySafeSdp(sdp: string): string {
  return sdp
    .split(/(?<=\n)/)
    .filter((line) => !/^a=candidate:/i.test(line) || isRelayCandidate(line.trimEnd()))
    .map((line) => line.replace(/^c=IN IP([46]) [^\s/]+/, (_all, v: string) => `c=IN IP${v} ${v === '4' ? '0.0.0.0' : '::'}`))
    .join('');
}
