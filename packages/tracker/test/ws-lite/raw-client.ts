/** A raw TCP WebSocket client for the ws-lite tests: sends any bytes, reads the server's frames as they are. */
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export class RawClient {
  readonly socket: Socket;
  /** The HTTP response head, once received. */
  head = '';
  readonly frames: ServerFrame[] = [];
  /** Resolves when the server ends or closes the connection. */
  readonly ended: Promise<void>;
  #buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    this.ended = new Promise((resolve) => {
      socket.once('end', resolve);
      socket.once('close', resolve);
    });
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#parse();
      for (const wake of this.#waiters.splice(0)) wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connects and sends request (the whole HTTP request, and any bytes after it). */
  static async open(port: number, request: string | Buffer): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    socket.write(request);
    return client;
  }

  static upgradeRequest(headers: Record<string, string> = {}, method = 'GET'): string {
    const all: Record<string, string> = {
      Host: '127.0.0.1',
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      ...headers,
    };
    const lines = Object.entries(all)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    return `${method} / HTTP/1.1\r\n${lines}\r\n`;
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits (at most timeoutMs) until test() holds. */
  async until(test: () => boolean, timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out; head ${JSON.stringify(this.head)}, ${this.frames.length} frames`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #parse(): void {
    if (this.head === '') {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.head = this.#buffer.subarray(0, end).toString('latin1');
      this.#buffer = this.#buffer.subarray(end + 4);
      if (!this.head.startsWith('HTTP/1.1 101')) return;
    }
    for (;;) {
      if (this.#buffer.length < 2) return;
      const b0 = this.#buffer[0] ?? 0;
      const len7 = (this.#buffer[1] ?? 0) & 0x7f;
      let at = 2;
      let len = len7;
      if (len7 === 126) {
        if (this.#buffer.length < 4) return;
        len = this.#buffer.readUInt16BE(2);
        at = 4;
      } else if (len7 === 127) {
        if (this.#buffer.length < 10) return;
        len = Number(this.#buffer.readBigUInt64BE(2));
        at = 10;
      }
      if (this.#buffer.length < at + len) return;
      this.frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload: this.#buffer.subarray(at, at + len) });
      this.#buffer = this.#buffer.subarray(at + len);
    }
  }
}
