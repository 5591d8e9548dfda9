/** A real `ws` client for tests: queues every server message, validated against the protocol schema. */
import type { TestContext } from 'node:test';
import { parseServerMessage } from '@swarmcast/protocol';
import type { ClientMessage, ServerMessage, SignalData } from '@swarmcast/protocol';
import { WebSocket } from 'ws';

/** Long enough for a loaded CI machine, short enough that a missing message fails fast. */
const WAIT_MS = 3_000;

export interface CloseInfo {
  code: number;
  reason: string;
}

type Waiter = (msg: ServerMessage) => void;

export class TestClient {
  readonly socket: WebSocket;
  /** Resolves when the socket is closed, by either side. */
  readonly closed: Promise<CloseInfo>;
  /** Set by connect(): the id from welcome. */
  peerId = '';
  readonly #queue: ServerMessage[] = [];
  readonly #waiters: Waiter[] = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('tracker sent a binary frame');
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- text frames arrive as a Buffer
      const msg = parseServerMessage(data.toString());
      const waiter = this.#waiters.shift();
      if (waiter) waiter(msg);
      else this.#queue.push(msg);
    });
    // Errors (such as a refused connection) surface through closed/open.
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      this.socket.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  /** Resolves when open, rejects if the socket closes first. */
  async open(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) return;
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => {
        resolve();
      });
      this.socket.once('close', (code) => {
        reject(new Error(`closed (${code}) before open`));
      });
    });
  }

  /** The next message, whatever it is; fails after WAIT_MS. */
  next(): Promise<ServerMessage> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no message within ${WAIT_MS} ms`));
      }, WAIT_MS);
      const waiter: Waiter = (msg) => {
        clearTimeout(timer);
        resolve(msg);
      };
      this.#waiters.push(waiter);
    });
  }

  /** The next message, which must be of the given type. */
  async expect<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>> {
    const msg = await this.next();
    if (msg.type !== type) throw new Error(`expected ${type}, got ${JSON.stringify(msg)}`);
    return msg as Extract<ServerMessage, { type: T }>;
  }

  /** Skips messages until one of the given type. */
  async skipTo<T extends ServerMessage['type']>(type: T): Promise<Extract<ServerMessage, { type: T }>> {
    for (;;) {
      const msg = await this.next();
      if (msg.type === type) return msg as Extract<ServerMessage, { type: T }>;
    }
  }

  send(msg: ClientMessage): void {
    this.socket.send(JSON.stringify(msg));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  join(swarm: string): void {
    this.send({ type: 'join', protocol: 1, swarm, uploadKbps: 1000 });
  }

  /** Sends ping and waits for pong: proves everything sent before was handled. */
  async roundTrip(): Promise<void> {
    this.send({ type: 'ping' });
    await this.expect('pong');
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }
}

export const OFFER: SignalData = { kind: 'description', sdpType: 'offer', sdp: 'v=0 fake offer' };
export const CANDIDATE: SignalData = { kind: 'candidate', candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 };

/** Opens a client closed after the test; does not wait for welcome. */
export async function openClient(t: TestContext, url: string): Promise<TestClient> {
  const client = new TestClient(url);
  t.after(() => client.close());
  await client.open();
  return client;
}

/** Opens a client, reads welcome and records its peer id. */
export async function connect(t: TestContext, url: string): Promise<TestClient> {
  const client = await openClient(t, url);
  client.peerId = (await client.expect('welcome')).peerId;
  return client;
}

/** Opens a client and joins swarm, returning it after joined. */
export async function joined(t: TestContext, url: string, swarm: string): Promise<TestClient> {
  const client = await connect(t, url);
  client.join(swarm);
  await client.expect('joined');
  return client;
}

/** Waits until check() holds, for server-side effects no message reports (a client-initiated close). */
export async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
