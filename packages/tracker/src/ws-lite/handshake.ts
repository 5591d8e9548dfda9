import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** RFC 6455 section 1.3: appended to Sec-WebSocket-Key before hashing. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** base64 of 16 bytes: 22 characters and '=='. */
const KEY_PATTERN = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/** An upgrade request the layer refuses: the HTTP status to answer and why. */
export interface UpgradeRefusal {
  readonly status: 400 | 405 | 426;
  readonly message: string;
}

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** Whether a comma-separated header lists token (case-insensitive). */
function hasToken(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => part.trim().toLowerCase() === token);
}

/** Checks an HTTP upgrade request: its Sec-WebSocket-Key when it is a valid RFC 6455 handshake, else why not. */
export function checkUpgrade(req: IncomingMessage): { key: string } | UpgradeRefusal {
  if (req.method !== 'GET') return { status: 405, message: 'WebSocket handshakes use GET' };
  if (!hasToken(req.headers.upgrade, 'websocket')) return { status: 400, message: 'Upgrade header must be websocket' };
  if (!hasToken(req.headers.connection, 'upgrade')) return { status: 400, message: 'Connection header must include Upgrade' };
  if (req.headers['sec-websocket-version'] !== '13') return { status: 426, message: 'Sec-WebSocket-Version must be 13' };
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !KEY_PATTERN.test(key)) return { status: 400, message: 'Sec-WebSocket-Key must be the base64 of 16 bytes' };
  return { key };
}

/** The 101 answer; no extension and no subprotocol is ever negotiated. */
export function switchingProtocols(key: string): string {
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`;
}

const STATUS_TEXT: Record<UpgradeRefusal['status'] | 503, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  426: 'Upgrade Required',
  503: 'Service Unavailable',
};

/** A plain-text HTTP refusal that closes the connection. */
export function refusal(status: UpgradeRefusal['status'] | 503, message: string): string {
  const extra = status === 426 ? 'Sec-WebSocket-Version: 13\r\n' : '';
  return (
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `${extra}Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`
  );
}
