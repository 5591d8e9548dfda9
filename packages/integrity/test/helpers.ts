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
}

/** An HTTP server answering each path from a table the test can change; 404 otherwise. */
export interface FakeOrigin {
  readonly url: string;
  readonly routes: Map<string, () => Reply>;
  /** Requests per path. */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startFakeOrigin(t: TestContext): Promise<FakeOrigin> {
  const routes = new Map<string, () => Reply>();
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const reply = routes.get(path)?.() ?? { status: 404, body: 'not found' };
    const send = (): void => {
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
  return { url: `http://127.0.0.1:${port}`, routes, hits, close };
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
