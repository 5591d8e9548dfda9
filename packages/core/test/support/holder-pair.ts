/** An engine connected to scripted peers (one holding a segment: the smallest acquisition setup). */
import assert from 'node:assert/strict';
import type { SegmentRef } from '@swarmcast/protocol';
import type { EngineConfig } from '../../src/config.ts';
import type { LoadedSegment } from '../../src/index.ts';
import type { ScriptedLink } from './scripted-peer.ts';
import { Testbed, type TestEngine } from './testbed.ts';

/** Engine E connected to a scripted peer H that announces `ref` (published at the origin) as held. */
export async function engineAndScripted(seed: string, ref: SegmentRef, sizeBytes: number, config: Partial<EngineConfig> = {}): Promise<{ bed: Testbed; e: TestEngine; link: ScriptedLink; bytes: Uint8Array }> {
  const { bed, e, links } = await engineWithScriptedPeers(seed, [{ name: 'H' }], config);
  const [link] = links;
  assert.ok(link);
  const { bytes } = bed.publish(ref, sizeBytes);
  link.send({ type: 'have', rendition: ref.rendition, sn: ref.sn, sizeBytes });
  await bed.clock.advance(100);
  return { bed, e, link, bytes };
}

/**
 * Engine E (with `config`) connected to scripted peers, each greeting with its `uploadKbps` (0 by
 * default); their links to E in the order given.
 */
export async function engineWithScriptedPeers(seed: string, peers: readonly { readonly name: string; readonly uploadKbps?: number }[], config: Partial<EngineConfig> = {}): Promise<{ bed: Testbed; e: TestEngine; links: ScriptedLink[] }> {
  const bed = new Testbed({ seed });
  const scripted = peers.map(({ name, uploadKbps }) => {
    const peer = bed.addScriptedPeer(name);
    if (uploadKbps !== undefined) peer.onOpen = (link) => link.greet({ uploadKbps });
    return peer;
  });
  await bed.clock.advance(100);
  const e = bed.addEngine('E', config);
  await bed.clock.advance(1_000);
  const links = scripted.map((s) => s.linkTo(bed.idOf('E')));
  assert.ok(links.every((l) => l?.open), 'every scripted peer is connected to E');
  return { bed, e, links: links as ScriptedLink[] };
}

/**
 * Engine E joins late and loads `ref` (due in 1.9 s) before its join: hls.js asks for its second
 * fragment a few ms before the first is buffered, which is when the player integration calls
 * playerStarted(). Resolves with what the load got.
 */
export async function loadBeforeJoin(bed: Testbed, ref: SegmentRef, config: Partial<EngineConfig> = {}): Promise<{ e: TestEngine; got: LoadedSegment }> {
  const e = bed.addEngine('E', { ...config, maxJoinDelayMs: 2_000 });
  const load = e.engine.loadSegment(bed.request(ref, 1_900));
  await bed.clock.advance(5);
  e.engine.playerStarted();
  return { e, got: await bed.clock.settle(load) };
}

/**
 * Makes the scripted peer behind `link` answer each request with one `chunkBytes` chunk of `bytes`
 * every `everyMs`, up to `stopAtBytes` (all of them by default), until cancelled; reports the cancel.
 */
export function trickle(bed: Testbed, link: ScriptedLink, bytes: Uint8Array, everyMs: number, options: { readonly chunkBytes?: number; readonly stopAtBytes?: number } = {}): { readonly cancelled: boolean } {
  const chunkBytes = options.chunkBytes ?? 16_384;
  const stopAtBytes = options.stopAtBytes ?? bytes.length;
  const script = bed.clock.view('script');
  const state = { cancelled: false };
  let sent = 0;
  link.owner.onMessage = (msg, l) => {
    if (msg.type === 'cancel') state.cancelled = true;
    if (msg.type !== 'request') return;
    const next = (): void => {
      if (state.cancelled || !l.open || sent >= stopAtBytes) return;
      l.send({ type: 'data', requestId: msg.requestId, offsetBytes: sent, totalBytes: bytes.length, payload: bytes.subarray(sent, sent + chunkBytes) });
      sent += chunkBytes;
      script.setTimeout(next, everyMs);
    };
    next();
  };
  return state;
}
