/** Shared by the tracker's integrity tests: a real loop origin, records waiting, signing keys. */
import type { TestContext } from 'node:test';
import type { GeneratedSigningKey } from '@swarmcast/integrity';
import { generateSigningKey } from '@swarmcast/integrity';
import { startOrigin } from '@swarmcast/origin';
import type { OriginServer } from '@swarmcast/origin';
import type { SegmentRecord } from '@swarmcast/protocol';
import type { TestClient } from './test-client.js';

export async function loopOrigin(t: TestContext): Promise<OriginServer> {
  const origin = await startOrigin({ port: 0, liveSource: 'loop' });
  t.after(() => origin.close());
  return origin;
}

export function newKey(): GeneratedSigningKey {
  return generateSigningKey();
}

/**
 * Reads records messages of swarm from client until `done` holds for everything read so far
 * (a new live segment can take a full target duration, longer than one next() waits).
 */
export async function recordsUntil(client: TestClient, swarm: string, done: (records: SegmentRecord[]) => boolean, timeoutMs = 6_000): Promise<SegmentRecord[]> {
  const seen: SegmentRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(seen)) {
    if (Date.now() > deadline) throw new Error(`records did not arrive in ${timeoutMs} ms; got sns ${seen.map((r) => r.sn).join(',')}`);
    const msg = await client.next().catch(() => undefined);
    if (msg?.type === 'records' && msg.swarm === swarm) seen.push(...msg.records);
  }
  return seen;
}

export async function until(check: () => boolean, what: string, timeoutMs = 6_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
