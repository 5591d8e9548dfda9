/**
 * Tells an ICE restart offer for an existing connection from an offer for a new one, without a
 * wire change: a renegotiation keeps the session id of the `o=` line (RFC 3264 5, JSEP 5.2.2) and
 * the DTLS certificate fingerprint, while a new RTCPeerConnection draws a new random session id.
 */

/** The session id of an SDP's `o=` line, or undefined when it has none. */
export function sdpSessionId(sdp: string): string | undefined {
  return /^o=\S+ (\d+) /m.exec(sdp)?.[1];
}

/** The first `a=fingerprint` value of an SDP, lower-cased, or undefined. */
export function sdpFingerprint(sdp: string): string | undefined {
  return /^a=fingerprint:(\S+ \S+)/m.exec(sdp)?.[1]?.toLowerCase();
}

/** Whether `offer` renegotiates the session `current` (the remote description in force) describes. */
export function isSameSession(current: string, offer: string): boolean {
  const id = sdpSessionId(current);
  const fingerprint = sdpFingerprint(current);
  return id !== undefined && fingerprint !== undefined && id === sdpSessionId(offer) && fingerprint === sdpFingerprint(offer);
}
