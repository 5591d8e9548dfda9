import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Duplex } from 'node:stream';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import type { PeerSocket, PeerSocketOwner } from '../../src/peer-socket.js';
import { OPCODES } from '../../src/ws-lite/frame-parser.js';
import { LiteServer } from '../../src/ws-lite/lite-server.js';
import { LiteSocket } from '../../src/ws-lite/lite-socket.js';
import type { LiteServerOptions } from '../../src/ws-lite/lite-server.js';
import { clientFrame, closePayload } from './client-frames.js';
import { RawClient } from './raw-client.js';

/** Echoes text, answers binary with its tag, records everything. */
class EchoOwner implements PeerSocketOwner {
  readonly events: string[] = [];
  closedAtMs = 0;
  constructor(readonly socket: PeerSocket) {}
  onText(text: string): void {
    this.events.push(`text:${text.length}`);
    if (text === 'close me') this.socket.close(4000, 'asked');
    else this.socket.send(text);
  }
  onBinary(): void {
    this.events.push('binary');
    this.socket.send('binary');
  }
  onProtocolError(closeCode: number): void {
    this.events.push(`error:${closeCode}`);
  }
  onClosed(): void {
    this.events.push('closed');
    this.closedAtMs = performance.now();
  }
}

async function startLite(t: TestContext, options: Partial<LiteServerOptions> = {}): Promise<{ port: number; owners: EchoOwner[]; server: LiteServer }> {
  const server = new LiteServer({ maxPayloadBytes: 1_000, maxSendBufferBytes: 64 * 1024, closeTimeoutMs: 2_000, ...options });
  const owners: EchoOwner[] = [];
  const http = createServer((_req, res) => res.end('plain http'));
  http.on('upgrade', (req, socket, head) => {
    server.handleUpgrade(req, socket, head, (peer) => {
      const owner = new EchoOwner(peer);
      owners.push(owner);
      return owner;
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of server.sockets()) s.terminate();
    await server.allClosed();
    await new Promise((resolve) => http.close(resolve));
  });
  return { port: (http.address() as AddressInfo).port, owners, server };
}

async function openRaw(t: TestContext, port: number, request: string | Buffer = RawClient.upgradeRequest()): Promise<RawClient> {
  const client = await RawClient.open(port, request);
  t.after(() => client.socket.destroy());
  return client;
}

const closeCode = (payload: Buffer): number => payload.readUInt16BE(0);

void describe('ws-lite socket over TCP', () => {
  void test('101 with the accept key and no extension even when one is offered; messages both ways', async (t) => {
    const { port, owners } = await startLite(t);
    const client = await openRaw(t, port, RawClient.upgradeRequest({ 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' }));
    client.send(clientFrame({ opcode: OPCODES.text, payload: 'hello' }));
    await client.until(() => client.frames.length === 1);
    assert.match(client.head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(client.head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
    assert.doesNotMatch(client.head, /Extensions|Protocol:/i);
    assert.deepEqual(client.frames[0], { fin: true, opcode: OPCODES.text, payload: Buffer.from('hello') });
    assert.deepEqual(owners[0]?.events, ['text:5']);
  });

  void test('bad handshakes get an HTTP error and a closed connection', async (t) => {
    const { port, owners } = await startLite(t);
    for (const [headers, status] of [
      [{ 'Sec-WebSocket-Version': '8' }, 426],
      [{ 'Sec-WebSocket-Key': 'short' }, 400],
      [{ 'Sec-WebSocket-Key': '' }, 400],
    ] as const) {
      const client = await openRaw(t, port, RawClient.upgradeRequest(headers));
      await client.ended;
      assert.match(client.head, new RegExp(`^HTTP/1\\.1 ${status} `), JSON.stringify(headers));
    }
    assert.equal(owners.length, 0);
  });

  void test('frames sent with the request are parsed once the owner is set', async (t) => {
    const { port } = await startLite(t);
    const frame = clientFrame({ opcode: OPCODES.text, payload: 'early' });
    const client = await openRaw(t, port, Buffer.concat([Buffer.from(RawClient.upgradeRequest()), frame]));
    await client.until(() => client.frames.length === 1);
    assert.equal(client.frames[0]?.payload.toString(), 'early');
  });

  void test('ping gets a pong with its payload; pong is ignored', async (t) => {
    const { port, owners } = await startLite(t);
    const client = await openRaw(t, port);
    client.send(clientFrame({ opcode: OPCODES.pong, payload: 'unsolicited' }));
    client.send(clientFrame({ opcode: OPCODES.ping, payload: 'abc' }));
    await client.until(() => client.frames.length === 1);
    assert.deepEqual(client.frames[0], { fin: true, opcode: OPCODES.pong, payload: Buffer.from('abc') });
    assert.deepEqual(owners[0]?.events, []);
  });

  void test('an unmasked frame: close 1002, the owner told, the connection ended', async (t) => {
    const { port, owners } = await startLite(t);
    const client = await openRaw(t, port);
    client.send(clientFrame({ opcode: OPCODES.text, payload: 'x', masked: false }));
    await client.ended;
    assert.equal(client.frames.length, 1);
    assert.equal(client.frames[0]?.opcode, OPCODES.close);
    assert.equal(closeCode(client.frames[0].payload), 1002);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(owners[0]?.events, ['error:1002', 'closed']);
  });

  void test('an oversized header: 1009 at once, without the payload ever sent', async (t) => {
    const { port, owners } = await startLite(t);
    const client = await openRaw(t, port);
    client.send(clientFrame({ opcode: OPCODES.text, declaredBytes: 1_000_000 }));
    await client.until(() => client.frames.length === 1);
    assert.equal(closeCode(client.frames[0]?.payload ?? Buffer.alloc(2)), 1009);
    assert.deepEqual(owners[0]?.events, ['error:1009']);
  });

  void test('invalid UTF-8 text: 1007', async (t) => {
    const { port } = await startLite(t);
    const client = await openRaw(t, port);
    client.send(clientFrame({ opcode: OPCODES.text, payload: Buffer.from([0xff, 0xfe]) }));
    await client.until(() => client.frames.length === 1);
    assert.equal(closeCode(client.frames[0]?.payload ?? Buffer.alloc(2)), 1007);
  });

  void test('the closing handshake: the client\'s code is echoed, then the server ends', async (t) => {
    const { port, owners } = await startLite(t);
    const client = await openRaw(t, port);
    client.send(clientFrame({ opcode: OPCODES.close, payload: closePayload(4321, 'bye') }));
    await client.ended;
    assert.deepEqual(client.frames.map((f) => f.opcode), [OPCODES.close]);
    assert.equal(closeCode(client.frames[0]?.payload ?? Buffer.alloc(2)), 4321);
    await client.until(() => owners[0]?.events.includes('closed') === true);
  });

  void test('a server close that the client never finishes is cut after closeTimeoutMs', async (t) => {
    const { port, owners, server } = await startLite(t, { closeTimeoutMs: 300 });
    // allowHalfOpen: this client does not end its side when the server ends.
    const client = await openRaw(t, port);
    client.socket.allowHalfOpen = true;
    client.socket.removeAllListeners('end');
    client.send(clientFrame({ opcode: OPCODES.text, payload: 'close me' }));
    await client.until(() => client.frames.length === 1);
    const sentAt = performance.now();
    assert.deepEqual([closeCode(client.frames[0]?.payload ?? Buffer.alloc(2)), client.frames[0]?.payload.subarray(2).toString()], [4000, 'asked']);
    await server.allClosed();
    const owner = owners[0];
    assert.ok(owner !== undefined && owner.events.includes('closed'));
    const waited = owner.closedAtMs - sentAt;
    assert.ok(waited > 200 && waited < 2_000, `destroyed after ${waited} ms`);
  });

  void test('a peer that ends its side without a close frame: the server ends too and the owner is told', async (t) => {
    const { port, owners, server } = await startLite(t);
    const client = await openRaw(t, port);
    await client.until(() => client.head !== '');
    client.socket.end();
    await server.allClosed();
    assert.deepEqual(owners[0]?.events, ['closed']);
    assert.equal(owners[0].socket.readyState, 3);
  });

  void test('the ws client interoperates: fragmented and binary messages, ping, close code', async (t) => {
    const { port, owners } = await startLite(t);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    t.after(() => {
      ws.terminate();
    });
    const received: string[] = [];
    ws.on('message', (data: Buffer) => received.push(data.toString()));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send('frag', { fin: false });
    ws.send('mented', { fin: true });
    ws.send(Buffer.from([1, 2, 3]));
    const pong = new Promise((resolve) => ws.once('pong', resolve));
    ws.ping('p');
    await pong;
    while (received.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(received, ['fragmented', 'binary']);
    const closed = new Promise<[number, string]>((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve([code, reason.toString()])));
    ws.send('close me');
    assert.deepEqual(await closed, [4000, 'asked']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(owners[0]?.events, ['text:10', 'binary', 'text:8', 'closed']);
  });

  void test('sends arrive intact at every header size, ASCII (written as one string) or not (written as a Buffer)', async (t) => {
    const { port } = await startLite(t, { maxPayloadBytes: 200_000 });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    t.after(() => {
      ws.terminate();
    });
    const received: string[] = [];
    ws.on('message', (data: Buffer) => received.push(data.toString()));
    await new Promise((resolve) => ws.once('open', resolve));
    const texts = [0, 1, 125, 126, 127, 65_535, 65_536, 100_000].flatMap((n) => ['a'.repeat(n), `é${'b'.repeat(Math.max(0, n - 2))}`, `${'c'.repeat(Math.max(0, n - 1))}\u007f`]);
    // The echo owner sends each back; many at once so some writes queue in libuv.
    for (const text of texts) ws.send(text);
    while (received.length < texts.length) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(received.length, texts.length);
    received.forEach((text, i) => assert.equal(text, texts[i], `message ${i}`));
  });

  void test('on a stream that is not a TCP socket, frames go through write() and arrive as data events', async () => {
    const written: Buffer[] = [];
    const stream = new Duplex({
      read(): void {
        // Input is pushed by the test.
      },
      write(chunk: Buffer, _encoding, callback): void {
        written.push(chunk);
        callback();
      },
    });
    const lite = new LiteSocket(stream, { maxPayloadBytes: 1_000, maxSendBufferBytes: 64 * 1024, closeTimeoutMs: 1_000, closed: () => undefined });
    const owner = new EchoOwner(lite);
    lite.owner = owner;
    stream.push(clientFrame({ opcode: OPCODES.text, payload: 'over a plain stream' }));
    stream.push(clientFrame({ opcode: OPCODES.ping, payload: 'p' }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(owner.events, ['text:19']);
    assert.deepEqual(Buffer.concat(written), Buffer.concat([Buffer.from([0x81, 19]), Buffer.from('over a plain stream'), Buffer.from([0x8a, 1]), Buffer.from('p')]));
    lite.terminate();
  });

  void test('oversized messages from the ws client: 1009', async (t) => {
    const { port } = await startLite(t);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    t.after(() => {
      ws.terminate();
    });
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.send('x'.repeat(1_001));
    assert.equal(await closed, 1009);
  });
});
