/**
 * The hostile peer page (packages/web/public/e2e/hostile.html, bundled by scripts/build-web.ts):
 * joins a stream's swarm through the real tracker and attacks the viewers it meets.
 * Params: `src` (master playlist URL; the swarm is it without query), `tracker` (WebSocket URL),
 * `attack` (corrupt | wrongSequence | falseHave | flood). Reports through window.__hostileReport().
 */
import { CorruptAttack, FalseHaveAttack, WrongSequenceAttack } from './attacks.js';
import { FLOOD_KINDS, FloodAttack } from './flood.js';
import { HostileIdentity } from './hostile-identity.js';
import type { HostileIdentityOptions } from './hostile-identity.js';
import { ATTACKS } from './hostile-report.js';
import type { AttackName, HostileReport } from './hostile-report.js';
import { SegmentFeed } from './segment-feed.js';

/** A flood round ends when every victim cut the identity off, or after this long. */
const FLOOD_ROUND_MAX_MS = 6_000;
/** Pause between flood rounds, so the tracker has dropped the previous identity. */
const FLOOD_ROUND_GAP_MS = 500;

interface Params {
  readonly src: string;
  readonly tracker: string;
  readonly attack: AttackName;
}

function parseParams(): Params {
  const query = new URLSearchParams(location.search);
  const src = query.get('src');
  const tracker = query.get('tracker');
  const attack = query.get('attack');
  if (src === null || tracker === null) throw new Error('hostile page: src and tracker are required');
  const known: readonly string[] = ATTACKS;
  if (attack === null || !known.includes(attack)) throw new Error(`hostile page: attack must be one of ${ATTACKS.join(', ')}, got ${String(attack)}`);
  return { src: new URL(src, location.href).href, tracker, attack: attack as AttackName };
}

function swarmOf(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

function servingAttack(
  name: Exclude<AttackName, 'flood'>,
  feed: SegmentFeed,
  identity: () => HostileIdentity | undefined,
): CorruptAttack | WrongSequenceAttack | FalseHaveAttack {
  if (name === 'corrupt') return new CorruptAttack(feed, identity);
  if (name === 'wrongSequence') return new WrongSequenceAttack(feed, identity);
  return new FalseHaveAttack(feed, identity);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function run(): Promise<void> {
  const params = parseParams();
  const logs: HostileIdentityOptions['logs'] = [];
  const errors: string[] = [];
  const identities: string[] = [];
  let done = false;
  const onError = (message: string): void => {
    if (errors.length < 100) errors.push(message);
  };
  let current: HostileIdentity | undefined;
  let announce: (sn: number) => void = () => undefined;
  const feed = new SegmentFeed({
    masterUrl: params.src,
    fetchBytes: params.attack === 'corrupt' || params.attack === 'wrongSequence',
    onSegment: (segment) => { announce(segment.sn); },
    onError,
  });
  window.__hostileReport = (): HostileReport => ({
    attack: params.attack,
    identities: [...identities],
    victims: logs.map((l) => ({ ...l })),
    segmentsSeen: feed.seen,
    done,
    errors: [...errors],
  });
  await feed.start();
  const base = { trackerUrl: params.tracker, swarm: swarmOf(params.src), logs, onError };
  if (params.attack !== 'flood') {
    const attack = servingAttack(params.attack, feed, () => current);
    announce = (sn) => {
      const segment = feed.get(sn);
      if (segment) attack.announce(segment);
    };
    current = new HostileIdentity({ ...base, behavior: attack, variant: params.attack });
    identities.push(await current.start());
    window.addEventListener('pagehide', () => { current?.close(); feed.stop(); }, { once: true });
    return;
  }
  for (const kind of FLOOD_KINDS) {
    const identity = new HostileIdentity({ ...base, behavior: new FloodAttack(kind, feed), variant: kind });
    current = identity;
    identities.push(await identity.start());
    const endAt = performance.now() + FLOOD_ROUND_MAX_MS;
    // Wait for the connections to come up and be cut off (or the round's time to run out).
    await sleep(500);
    while (performance.now() < endAt && !identity.allClosed) await sleep(100);
    identity.close();
    await sleep(FLOOD_ROUND_GAP_MS);
  }
  done = true;
  feed.stop();
}

run().catch((error: unknown) => {
  const box = document.querySelector('#error');
  if (box) box.textContent = error instanceof Error ? error.message : String(error);
  console.error('[hostile] failed', error);
});
