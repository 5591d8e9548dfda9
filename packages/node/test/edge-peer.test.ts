/**
 * The edge peer against the real origin (live loop) and tracker in-process, with a plain Node
 * engine as viewer: the edge peer follows the stream over HTTP, the viewer gets a segment from it
 * over WebRTC on loopback, and close() leaves nothing running.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '@swarmcast/core';
import { generateSigningKey } from '@swarmcast/integrity';
import { startOrigin } from '@swarmcast/origin';
import { renditionIdFromUrl } from '@swarmcast/protocol';
import { startTracker } from '@swarmcast/tracker';
import { EdgePeer, createNodePorts, fetchPlaylist, resolveEdgePeerConfig } from '../src/index.ts';

test('edge peer follows the live stream and serves a Node viewer over WebRTC', { timeout: 60_000 }, async () => {
  const origin = await startOrigin({ port: 0, liveSource: 'loop' });
  const tracker = await startTracker({ port: 0, integrity: { signingKeyPkcs8: generateSigningKey().privateKeyPkcs8, streams: [origin.liveMasterUrl] } });
  const edge = new EdgePeer({ streamUrl: origin.liveMasterUrl, trackerUrl: tracker.url, rtc: { bindAddress: '127.0.0.1' } });
  const errors: unknown[] = [];
  edge.on('error', (e) => errors.push(e.error));
  let viewer: Engine | undefined;
  try {
    edge.start();
    await waitFor(() => edge.stats().segments >= 2, 20_000);
    assert.ok(edge.stats().renditions >= 1);
    assert.ok(edge.stats().engine.httpBytes > 0);

    viewer = new Engine({ trackerUrl: tracker.url, swarmId: edge.swarmId }, createNodePorts({ bindAddress: '127.0.0.1' }));
    viewer.start();
    const v = viewer;
    await waitFor(() => v.stats().peers > 0, 15_000);
    const master = await fetchPlaylist(origin.liveMasterUrl, { maxBytes: 1 << 20, timeoutMs: 5000 }, new AbortController().signal);
    if (master.playlist.kind !== 'master') throw new Error('the live stream has no master playlist');
    const mediaUrl = master.playlist.variants[0] ?? '';
    const media = await fetchPlaylist(mediaUrl, { maxBytes: 1 << 20, timeoutMs: 5000 }, new AbortController().signal);
    const segment = media.playlist.kind === 'media' ? media.playlist.segments.at(-2) : undefined;
    assert.ok(segment);
    await waitFor(() => edge.stats().segments >= 3, 10_000);
    const loaded = await viewer.loadSegment({ ref: { rendition: renditionIdFromUrl(media.finalUrl), sn: segment.sn }, url: segment.url, deadlineMs: performance.now() + 15_000 });
    assert.equal(loaded.source, 'p2p');
    assert.ok(edge.stats().engine.uploadedBytes >= loaded.bytes.length);
    assert.deepEqual(errors, []);
  } finally {
    viewer?.destroy();
    await edge.close();
    await tracker.close();
    await origin.close();
  }
});

test('edge peer config: clear errors', () => {
  const base = { streamUrl: 'http://127.0.0.1/live/master.m3u8', trackerUrl: 'ws://127.0.0.1:1' };
  assert.throws(() => resolveEdgePeerConfig({ ...base, streamUrl: 'ftp://x' }), /streamUrl must be an http/);
  assert.throws(() => resolveEdgePeerConfig({ ...base, trackerUrl: 'http://x' }), /trackerUrl must be a ws/);
  assert.throws(() => resolveEdgePeerConfig({ ...base, uploadKbps: -1 }), /uploadKbps must be a number > 0/);
  assert.throws(() => resolveEdgePeerConfig({ ...base, renditions: [] }), /renditions must be/);
  assert.equal(resolveEdgePeerConfig(base).storeBudgetBytes, 256 * 1024 * 1024);
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
