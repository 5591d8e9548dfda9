/** One engine connected to one scripted peer that holds a segment: the smallest acquisition setup. */
import assert from 'node:assert/strict';
import type { SegmentRef } from '@swarmcast/protocol';
import type { EngineConfig } from '../../src/config.ts';
import type { ScriptedLink } from './scripted-peer.ts';
import { Testbed, type TestEngine } from './testbed.ts';

/** Engine E connected to a scripted peer H that announces `ref` (published at the origin) as held. */
export async function engineAndScripted(seed: string, ref: SegmentRef, sizeBytes: number, config: Partial<EngineConfig> = {}): Promise<{ bed: Testbed; e: TestEngine; link: ScriptedLink; bytes: Uint8Array }> {
  const bed = new Testbed({ seed });
  const h = bed.addScriptedPeer('H');
  await bed.clock.advance(100);
  const e = bed.addEngine('E', config);
  await bed.clock.advance(1_000);
  const link = h.linkTo(bed.idOf('E'));
  assert.ok(link?.open);
  const { bytes } = bed.publish(ref, sizeBytes);
  link.send({ type: 'have', rendition: ref.rendition, sn: ref.sn, sizeBytes });
  await bed.clock.advance(100);
  return { bed, e, link, bytes };
}
