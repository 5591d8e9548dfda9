/** Builds client frames (masked by default) for the ws-lite tests, including broken ones. */
import { randomBytes } from 'node:crypto';

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  /** RSV1-3 bits, 0-7. */
  rsv?: number;
  masked?: boolean;
  /** Force a 16- or 64-bit length field even for a short payload. */
  lengthField?: 7 | 16 | 64;
  /** Declared length when it must differ from the payload's (header-only frames). */
  declaredBytes?: number;
}

export function clientFrame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'utf8') : (spec.payload ?? Buffer.alloc(0));
  const declared = spec.declaredBytes ?? payload.length;
  const field = spec.lengthField ?? (declared < 126 ? 7 : declared <= 0xffff ? 16 : 64);
  const masked = spec.masked ?? true;
  const header: number[] = [((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode];
  const maskBit = masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (field === 7) header.push(maskBit | declared);
  else if (field === 16) {
    header.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(declared);
  } else {
    header.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(declared));
  }
  if (!masked) return Buffer.concat([Buffer.from(header), ext, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (key[i & 3] ?? 0);
  return Buffer.concat([Buffer.from(header), ext, key, body]);
}

export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, Buffer.from(reason, 'utf8')]);
}
