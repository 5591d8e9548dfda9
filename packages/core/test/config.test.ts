import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { engineDefaults, resolveEngineConfig, type EngineConfig } from '../src/config.ts';

const base: Partial<EngineConfig> = { trackerUrl: 'wss://tracker.example/ws', swarmId: 'live-1' };

function rejects(partial: Partial<EngineConfig>, message: string): void {
  assert.throws(
    () => resolveEngineConfig({ ...base, ...partial }),
    (e: unknown) => e instanceof Error && e.message === `Invalid Swarmcast config: ${message}`,
    message,
  );
}

void describe('engine config', () => {
  void test('fills defaults and keeps given values', () => {
    const c = resolveEngineConfig({ ...base, maxPeers: 20 });
    assert.equal(c.maxPeers, 20);
    assert.equal(c.chunkBytes, engineDefaults.chunkBytes);
    assert.equal(c.trackerUrl, 'wss://tracker.example/ws');
    assert.doesNotThrow(() => resolveEngineConfig({ ...base, trackerUrl: 'ws://localhost:8080' }));
  });

  void test('an office viewer (expectSeeder) waits longer for its edge peer, unless told otherwise', () => {
    assert.equal(resolveEngineConfig(base).seederWaitMs, engineDefaults.seederWaitMs);
    assert.equal(resolveEngineConfig({ ...base, expectSeeder: true }).seederWaitMs, 1_200);
    assert.equal(resolveEngineConfig({ ...base, expectSeeder: true, seederWaitMs: 300 }).seederWaitMs, 300);
  });

  void test('names the field and the rule in every rejection', () => {
    rejects({ trackerUrl: '' }, 'trackerUrl must be a ws:// or wss:// URL, got ""');
    rejects({ trackerUrl: 'https://tracker' }, 'trackerUrl must be a ws:// or wss:// URL, got "https://tracker"');
    rejects({ swarmId: '' }, 'swarmId must be 1-512 characters');
    rejects({ swarmId: 'x'.repeat(513) }, 'swarmId must be 1-512 characters');
    rejects({ maxPeers: Number.NaN }, 'maxPeers must be a finite number >= 0');
    rejects({ httpSafetyMs: -1 }, 'httpSafetyMs must be a finite number >= 0');
    rejects({ storeBudgetBytes: Number.POSITIVE_INFINITY }, 'storeBudgetBytes must be a finite number >= 0');
    rejects({ maxPeers: 0, minPeers: 0 }, 'maxPeers must be at least 1');
    rejects({ maxPeers: 3, minPeers: 4 }, 'minPeers (4) must not exceed maxPeers (3)');
    rejects({ chunkBytes: 1023 }, 'chunkBytes must be 1024-262080');
    rejects({ chunkBytes: 262_081 }, 'chunkBytes must be 1024-262080');
    rejects({ chunkBytes: 65_536, sendHighWaterBytes: 65_535 }, 'sendHighWaterBytes must be at least chunkBytes');
    rejects({ httpFetchersPerSegment: 0 }, 'httpFetchersPerSegment must be at least 1');
    rejects({ trackerReconnectBaseMs: 5_000, trackerReconnectMaxMs: 1_000 }, 'trackerReconnectMaxMs must be >= trackerReconnectBaseMs');
  });
});
