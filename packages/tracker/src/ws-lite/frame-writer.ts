import { OPCODES } from './frame-parser.js';

/** Header bytes of an unmasked server frame with this payload length. */
function headerBytes(payloadBytes: number): number {
  return payloadBytes < 126 ? 2 : payloadBytes <= 0xffff ? 4 : 10;
}

function writeHeader(frame: Buffer, opcode: number, payloadBytes: number): void {
  frame[0] = 0x80 | opcode;
  if (payloadBytes < 126) {
    frame[1] = payloadBytes;
  } else if (payloadBytes <= 0xffff) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadBytes, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(payloadBytes, 6);
  }
}

/** One whole unmasked text frame (header and UTF-8 payload in one buffer, so one socket write). */
export function textFrame(text: string): Buffer {
  const payloadBytes = Buffer.byteLength(text);
  const header = headerBytes(payloadBytes);
  const frame = Buffer.allocUnsafe(header + payloadBytes);
  writeHeader(frame, OPCODES.text, payloadBytes);
  frame.write(text, header, 'utf8');
  return frame;
}

/** One whole unmasked control frame; the caller keeps payload within 125 bytes. */
export function controlFrame(opcode: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(2 + payload.length);
  writeHeader(frame, opcode, payload.length);
  payload.copy(frame, 2);
  return frame;
}

/** A close frame with code and reason (cut to fit 125 bytes on a character boundary); code undefined: empty. */
export function closeFrame(code: number | undefined, reason = ''): Buffer {
  if (code === undefined) return controlFrame(OPCODES.close, Buffer.alloc(0));
  let reasonBytes = Buffer.from(reason, 'utf8');
  if (reasonBytes.length > 123) reasonBytes = Buffer.from(new TextDecoder().decode(reasonBytes.subarray(0, 123)).replace(/\uFFFD$/u, ''), 'utf8');
  const payload = Buffer.allocUnsafe(2 + reasonBytes.length);
  payload.writeUInt16BE(code, 0);
  reasonBytes.copy(payload, 2);
  return controlFrame(OPCODES.close, payload);
}

/** Headers of text frames of 0-125 bytes, as byte-valued strings, made once. */
const SHORT_TEXT_HEADERS = Array.from({ length: 126 }, (_, n) => String.fromCharCode(0x80 | OPCODES.text, n));

/**
 * The header of an unmasked text frame of payloadBytes bytes (at most 0xffff), as a string of
 * byte-valued characters: followed by an ASCII payload, it is the whole frame for a Latin-1 write.
 */
export function textFrameHeader(payloadBytes: number): string {
  return SHORT_TEXT_HEADERS[payloadBytes] ?? String.fromCharCode(0x80 | OPCODES.text, 126, payloadBytes >> 8, payloadBytes & 0xff);
}
