/**
 * What WebRTC's transport adds to a DataChannel message on the wire, so a simulated uplink carries
 * what a real one does. A message goes in SCTP packets over DTLS over UDP; each packet carries
 * IPv4 20 + UDP 8 + a DTLS record's header 13 and AES-GCM nonce 8 and tag 16 + SCTP's common header
 * 12 + a DATA chunk header 16 = 93 bytes besides the message's own. The receiver acknowledges with
 * SACK packets (the same headers, a 16-byte SACK chunk), one per two packets it receives, on its
 * own uplink. Measured in bench:live's constrained runs (tbf's byte counter against the bytes the
 * engines sent): the uplinks carried 1.24-1.25 times the DataChannel bytes, which this model gives.
 */

/** Headers of one SCTP packet over DTLS, UDP and IPv4, besides the message bytes it carries. */
export const PACKET_OVERHEAD_BYTES = 93;
/** Message bytes in one full SCTP packet: a 1,191-byte SCTP packet (the usual WebRTC size) less its 28 bytes of headers. */
export const PACKET_PAYLOAD_BYTES = 1163;
/** One SACK packet on the wire. */
export const SACK_PACKET_BYTES = 93;
/** Packets a receiver takes in per SACK it sends (delayed acknowledgement). */
const PACKETS_PER_SACK = 2;

/** Wire bytes of a message of `messageBytes` (full scale). */
export function messageWireBytes(messageBytes: number): number {
  return messageBytes + Math.ceil(messageBytes / PACKET_PAYLOAD_BYTES) * PACKET_OVERHEAD_BYTES;
}

/** Bytes of the SACKs the receiver of a message of `messageBytes` sends back (at least one). */
export function sackWireBytes(messageBytes: number): number {
  return Math.ceil(Math.ceil(messageBytes / PACKET_PAYLOAD_BYTES) / PACKETS_PER_SACK) * SACK_PACKET_BYTES;
}
