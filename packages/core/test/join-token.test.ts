/** Join tokens on the client side: sent in join; a refused one stops P2P without a reconnect storm. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LIMITS } from '@swarmcast/protocol';
import { EngineError, resolveEngineConfig } from '../src/index.ts';
import { TEST_SWARM, Testbed, sameBytes, type TestEngine } from './support/testbed.ts';

const TOKEN = 'header.payload.signature';

/** A bed whose tracker demands TOKEN, and a log of E's tracker events. */
function tokenBed(seed: string): Testbed {
  const bed = new Testbed({ seed });
  bed.tracker.requiredJoinToken = TOKEN;
  return bed;
}

function trackerLog(bed: Testbed, e: TestEngine): string[] {
  const log: string[] = [];
  e.engine.on('tracker-connected', (ev) => log.push(`connected ${ev.peerId} @${bed.clock.now()}`));
  e.engine.on('tracker-disconnected', (ev) => log.push(`disconnected ${ev.reason}`));
  return log;
}

void describe('join token (engine)', () => {
  void test('is sent in join and admits the engine', async () => {
    const bed = tokenBed('token-ok');
    const e = bed.addEngine('E', { joinToken: TOKEN });
    const f = bed.addEngine('F', { joinToken: TOKEN });
    await bed.connectAll();
    assert.deepEqual(bed.tracker.members(TEST_SWARM), [bed.idOf('E'), bed.idOf('F')]);
    assert.deepEqual(bed.tracker.rejects, []);
    assert.deepEqual([...e.errors, ...f.errors], []);
    bed.destroyAll();
  });

  for (const [given, code] of [
    [undefined, 'TOKEN_REQUIRED'],
    ['expired-or-forged', 'TOKEN_INVALID'],
  ] as const) {
    void test(`refused (${code}): an error event with the code, no reconnect for 10 min, segments still come over HTTP`, async () => {
      const bed = tokenBed(`token-${code}`);
      const good = bed.addEngine('G', { joinToken: TOKEN });
      const e = bed.addEngine('E', given === undefined ? {} : { joinToken: given });
      const log = trackerLog(bed, e);
      await bed.clock.advance(600_000);

      assert.equal(e.errors.length, 1);
      const [error] = e.errors;
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, code);
      assert.match(error.message, /tracker refused the join token, P2P is off/);
      assert.deepEqual(log, [`disconnected tracker refused the join token: ${code}`]);
      // One join, one refusal, in ten minutes: no retry with a token that cannot pass.
      assert.equal(bed.tracker.messageCounts.get('join'), 2, 'G and E joined once each');
      assert.deepEqual(bed.tracker.rejects, [code]);
      assert.equal(e.engine.peerId, undefined);
      assert.deepEqual(bed.tracker.members(TEST_SWARM), [bed.idOf('G')]);
      assert.equal(bed.tracker.connectionCount, 1);

      const ref = { rendition: 'v0', sn: 1 };
      const { bytes } = bed.publish(ref, 50_000);
      const loaded = await bed.clock.settle(e.engine.loadSegment(bed.request(ref, 5_000)));
      assert.equal(loaded.source, 'http');
      assert.ok(sameBytes(loaded.bytes, bytes));
      assert.deepEqual(good.errors, []);
      bed.destroyAll();
    });
  }

  void test('setJoinToken() after a refusal connects again at once and joins', async () => {
    const bed = tokenBed('token-renew');
    const e = bed.addEngine('E', { joinToken: 'old' });
    const log = trackerLog(bed, e);
    await bed.clock.advance(60_000);
    assert.deepEqual(bed.tracker.rejects, ['TOKEN_INVALID']);
    const renewedAt = bed.clock.now();
    e.engine.setJoinToken(TOKEN);
    await bed.clock.advance(1_000);
    assert.equal(e.engine.peerId, 'p2');
    assert.deepEqual(bed.tracker.members(TEST_SWARM), ['p2']);
    assert.deepEqual(log, ['disconnected tracker refused the join token: TOKEN_INVALID', `connected p2 @${renewedAt + 40}`]);
    assert.throws(() => e.engine.setJoinToken(''), /Invalid Swarmcast config: joinToken must be a string of 1-4096 characters/);
    bed.destroyAll();
    assert.throws(() => e.engine.setJoinToken(TOKEN), { code: 'ENGINE_DESTROYED' });
  });

  void test('a renewed token is used on the next reconnect', async () => {
    const bed = tokenBed('token-rotate');
    const e = bed.addEngine('E', { joinToken: TOKEN });
    await bed.clock.advance(1_000);
    assert.equal(e.engine.peerId, 'p1');
    // The site renews the token before the old one expires; then the tracker restarts.
    bed.tracker.requiredJoinToken = 'renewed';
    e.engine.setJoinToken('renewed');
    bed.tracker.kick('p1', 'restart');
    await bed.clock.advance(5_000);
    assert.equal(e.engine.peerId, 'p2');
    assert.deepEqual(e.errors, []);
    bed.destroyAll();
  });

  void test('other tracker errors still end in a reconnect', async () => {
    const bed = tokenBed('token-other-error');
    const e = bed.addEngine('E', { joinToken: TOKEN });
    await bed.clock.advance(1_000);
    bed.tracker.sendRaw('p1', JSON.stringify({ type: 'error', code: 'RATE_LIMITED', message: 'too many messages' }));
    await bed.clock.advance(5_000);
    assert.equal(e.engine.peerId, 'p2');
    assert.deepEqual(e.errors, []);
    bed.destroyAll();
  });

  void test('config: joinToken must be 1 to LIMITS.maxJoinTokenLength characters', () => {
    const base = { trackerUrl: 'wss://tracker.example/ws', swarmId: 'live-1' };
    assert.equal(resolveEngineConfig(base).joinToken, undefined);
    assert.equal(resolveEngineConfig({ ...base, joinToken: 'x'.repeat(LIMITS.maxJoinTokenLength) }).joinToken?.length, LIMITS.maxJoinTokenLength);
    for (const joinToken of ['', 'x'.repeat(LIMITS.maxJoinTokenLength + 1), 42 as unknown as string]) {
      assert.throws(() => resolveEngineConfig({ ...base, joinToken }), {
        message: 'Invalid Swarmcast config: joinToken must be a string of 1-4096 characters (omit it when the stream needs none)',
      });
    }
  });
});
