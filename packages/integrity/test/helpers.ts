/** Shared by the integrity tests: a scriptable HTTP origin, an authority closed after the test, record collection. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import type { SegmentRecord } from '@swarmcast/protocol';
import { IntegrityAuthority, generateSigningKey } from '../src/index.js';
import type { GeneratedSigningKey, IntegrityAuthorityOptions, IntegrityError } from '../src/index.js';

export interface Reply {
  status?: number;
  body: string | Uint8Array;
  /** Answer only after this long (for timeouts). */
  delayMs?: number;
  /** Answer a Range request with the whole body (200), as some servers do. @default false */
  ignoreRange?: boolean;
}

/** An HTTP server answering each path from a table the test can change (honouring `Range: bytes=s-e`); 404 otherwise. */
export interface FakeOrigin {
  readonly url: string;
  readonly routes: Map<string, () => Reply>;
  /** Requests per path. */
  readonly hits: Map<string, number>;
  /** Range headers received, per path. */
  readonly ranges: Map<string, string[]>;
  close(): Promise<void>;
}

export async function startFakeOrigin(t: TestContext): Promise<FakeOrigin> {
  const routes = new Map<string, () => Reply>();
  const hits = new Map<string, number>();
  const ranges = new Map<string, string[]>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const reply = routes.get(path)?.() ?? { status: 404, body: 'not found' };
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (req.headers.range !== undefined) ranges.set(path, [...(ranges.get(path) ?? []), req.headers.range]);
    const send = (): void => {
      if (range !== null && reply.ignoreRange !== true && (reply.status ?? 200) === 200) {
        const body = typeof reply.body === 'string' ? new TextEncoder().encode(reply.body) : reply.body;
        res.writeHead(206).end(body.subarray(Number(range[1]), Number(range[2]) + 1));
        return;
      }
      res.writeHead(reply.status ?? 200).end(reply.body);
    };
    if (reply.delayMs === undefined) send();
    else setTimeout(send, reply.delayMs).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  t.after(close);
  return { url: `http://127.0.0.1:${port}`, routes, hits, ranges, close };
}

export interface Collected {
  swarm: string;
  record: SegmentRecord;
  /** Date.now() when the listener saw it. */
  atMs: number;
}

export interface TestAuthority {
  readonly authority: IntegrityAuthority;
  readonly key: GeneratedSigningKey;
  readonly records: Collected[];
  readonly errors: IntegrityError[];
}

/** An authority on fast retry timers, started, and closed after the test. */
export function startAuthority(t: TestContext, streams: string[], options: Partial<IntegrityAuthorityOptions> = {}): TestAuthority {
  const key = generateSigningKey();
  const authority = new IntegrityAuthority({ signingKeyPkcs8: key.privateKeyPkcs8, streams, retryMinMs: 50, retryMaxMs: 200, ...options });
  const records: Collected[] = [];
  const errors: IntegrityError[] = [];
  authority.onRecords((swarm, list) => {
    for (const record of list) records.push({ swarm, record, atMs: Date.now() });
  });
  authority.onError((error) => errors.push(error));
  t.after(() => authority.close());
  authority.start();
  return { authority, key, records, errors };
}

/** Waits until check() holds; fails after timeoutMs with `what`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
