/**
 * The load workers' WebSocket client (bench/tracker-load/raw-ws-client.ts): once open it reads into
 * a buffer shared by every socket and writes to the libuv handle. A frame split across reads must be
 * kept as a copy (the shared buffer is overwritten by the next read), and what it sends must be the
 * masked frames a server expects. A plain TCP server plays the tracker, writing frames 7 bytes at a time.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { RawWsClient } from '../../../bench/tracker-load/raw-ws-client.js';

/** An unmasked server text frame. */
function serverFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const header = payload.length < 126 ? Buffer.from([0x81, payload.length]) : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** Reads masked client frames (all-zero key expected) from what a server received. */
function clientTexts(bytes: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    assert.equal(bytes[at], 0x81, 'a final text frame');
    let length = (bytes[at + 1] ?? 0) & 0x7f;
    assert.equal((bytes[at + 1] ?? 0) & 0x80, 0x80, 'masked');
    let header = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    }
    assert.equal(bytes.readUInt32BE(at + header), 0, 'all-zero mask key');
    out.push(bytes.toString('utf8', at + header + 4, at + header + 4 + length));
    at += header + 4 + length;
  }
  return out;
}

/** Polls cond every 5 ms for 2 s at most (the test then fails on what it got). */
async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!cond() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('load generator client (raw-ws-client)', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  const clients: RawWsClient[] = [];
  // Closed here, so a failed assertion leaves no socket open.
  after(() => {
    for (const c of clients) c.close();
    for (const s of sockets) s.destroy();
    for (const s of servers) s.close();
  });

  test('frames split across reads arrive whole, in order; sends are masked frames on a direct handle', async () => {
    const received: Buffer[] = [];
    let serverSocket: Socket | undefined;
    const server = createServer((socket) => {
      serverSocket = socket;
      sockets.push(socket);
      socket.once('data', () => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
        socket.on('data', (chunk: Buffer) => received.push(chunk));
      });
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;

    const messages: string[] = [];
    const errors: Error[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const client = new RawWsClient(port, '127.0.0.1', {
      open: () => opened(),
      message: (text) => messages.push(text),
      close: () => undefined,
      error: (error) => errors.push(error),
    });
    clients.push(client);
    await open;
    assert.equal(client.direct, true, 'open on a TCP socket: direct I/O');

    // Two short frames and one of 300 bytes (16-bit length), sent in 7-byte pieces with a pause
    // between them, so most frames span several reads of the shared buffer.
    const sent = ['{"type":"welcome"}', 'x'.repeat(300), '{"type":"pong"}'];
    const wire = Buffer.concat(sent.map(serverFrame));
    for (let at = 0; at < wire.length; at += 7) {
      serverSocket?.write(wire.subarray(at, at + 7));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await until(() => messages.length >= sent.length);
    assert.deepEqual(messages, sent);

    const outgoing = ['{"type":"ping"}', `{"sdp":"${'a'.repeat(200)}"}`];
    for (const text of outgoing) client.send(text);
    // Headers: 6 bytes below 126 bytes of payload, 8 from there.
    const expectedBytes = outgoing.reduce((n, t) => n + t.length + (t.length < 126 ? 6 : 8), 0);
    await until(() => Buffer.concat(received).length >= expectedBytes);
    assert.deepEqual(clientTexts(Buffer.concat(received)), outgoing);
    assert.deepEqual(errors, []);
  });
});
