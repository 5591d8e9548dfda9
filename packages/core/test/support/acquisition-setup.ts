/** Shared setup of the acquisition tests (acquisition-*.test.ts): two engines, a designated fetcher, a peer's requests. */
import type { SegmentRef } from '@swarmcast/protocol';
import type { ScriptedLink } from './scripted-peer.ts';
import { firstSnFetchedBy, Testbed, type TestEngine } from './testbed.ts';

export const CHUNK = 16_384;

/** Two engines, E and G, connected. */
export async function pairOfEngines(seed: string): Promise<{ bed: Testbed; e: TestEngine; g: TestEngine }> {
  const bed = new Testbed({ seed });
  const e = bed.addEngine('E');
  const g = bed.addEngine('G');
  await bed.connectAll();
  return { bed, e, g };
}

/** The first segment of v0 (from `fromSn` on) whose designated HTTP fetcher among `names` is `who`. */
export function segmentDesignating(bed: Testbed, names: readonly string[], who: string, fromSn = 0): SegmentRef {
  return { rendition: 'v0', sn: firstSnFetchedBy(bed, names, who, 'v0', fromSn) };
}

/** Has the engine's peer H been sent a request, and with which id? */
export function requestIds(link: ScriptedLink): number[] {
  return link.messages('request').map((m) => m.requestId);
}
