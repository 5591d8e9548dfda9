/** The Node HTTP (fetch with Range and abort), tracker socket (ws) and crypto ports against local servers. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { createNodeHttp, createNodePorts, nodeTrackerSocket } from '../src/index.ts';

const BODY = new Uint8Array(100_000).map((_, i) => i % 251);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('http: whole body, Range requests and abort', async () => {
  const server = createServer((req, res) => {
    if (req.url === '/slow') {
      res.writeHead(200, { 'Content-Length': '10' }).write('x'); // never ends: the abort must end it
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!range) {
      res.writeHead(200, { 'Content-Length': String(BODY.length) }).end(BODY);
      return;
    }
    const start = Number(range[1]);
    const end = range[2] === '' ? BODY.length - 1 : Number(range[2]);
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${BODY.length}`, 'Content-Length': String(end - start + 1) }).end(BODY.subarray(start, end + 1));
  });
  const base = await listen(server);
  try {
    const http = createNodeHttp();
    const whole = await http.fetch({ url: `${base}/seg` }, new AbortController().signal);
    assert.deepEqual(whole.bytes, BODY);
    assert.equal(whole.totalBytes, BODY.length);
    const part = await http.fetch({ url: `${base}/seg`, range: { startBytes: 1000, endBytes: 2000 } }, new AbortController().signal);
    assert.deepEqual(part.bytes, BODY.subarray(1000, 2000));
    assert.equal(part.totalBytes, BODY.length);
    const controller = new AbortController();
    const slow = http.fetch({ url: `${base}/slow` }, controller.signal);
    setTimeout(() => { controller.abort(); }, 50);
    await assert.rejects(slow);
    await assert.rejects(createNodeHttp(10).fetch({ url: `${base}/seg` }, new AbortController().signal), /exceeds 10/);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('tracker socket: text both ways, binary frames refused, close reasons', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      const text = Buffer.from(data as Buffer).toString('utf8');
      if (text === 'binary please') ws.send(Buffer.from([1, 2]), { binary: true });
      else if (!isBinary) ws.send(`echo ${text}`);
    });
  });
  try {
    const received: string[] = [];
    const closed = deferred<string>();
    const opened = deferred<undefined>();
    const socket = nodeTrackerSocket(url, { open: () => { opened.resolve(undefined); }, message: (t) => received.push(t), close: (r) => { closed.resolve(r); } });
    await opened.promise;
    socket.send('hello');
    await waitFor(() => received.length === 1);
    assert.deepEqual(received, ['echo hello']);
    socket.send('binary please');
    assert.equal(await closed.promise, 'binary frame from tracker');
    socket.close();

    const refused = deferred<string>();
    nodeTrackerSocket('ws://127.0.0.1:1', { open: () => undefined, message: () => undefined, close: (r) => { refused.resolve(r); } });
    assert.match(await refused.promise, /socket error|closed/);
  } finally {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
});

test('crypto: SHA-256 as node:crypto computes it', async () => {
  const digest = await createNodePorts().crypto.sha256(BODY);
  assert.equal(Buffer.from(digest).toString('hex'), createHash('sha256').update(BODY).digest('hex'));
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}
