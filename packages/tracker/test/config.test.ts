import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIMITS } from '@swarmcast/protocol';
import { resolveTrackerConfig, startTracker, trackerDefaults } from '../src/index.js';
import type { TrackerConfig } from '../src/index.js';

void test('defaults resolve unchanged; a partial merges over them; undefined keeps the default', () => {
  assert.deepEqual(resolveTrackerConfig(), { ...trackerDefaults });
  assert.equal(trackerDefaults.port, 8081);
  assert.equal(trackerDefaults.host, '127.0.0.1');
  const config = resolveTrackerConfig({ port: 0, maxPeersInList: 5, host: undefined });
  assert.equal(config.port, 0);
  assert.equal(config.maxPeersInList, 5);
  assert.equal(config.host, '127.0.0.1');
  assert.ok(Object.isFrozen(trackerDefaults));
});

const invalid: [string, Partial<TrackerConfig>, RegExp][] = [
  ['timeout not above interval', { heartbeatIntervalMs: 200, heartbeatTimeoutMs: 200 }, /heartbeatTimeoutMs \(200\) must be greater than heartbeatIntervalMs \(200\)/],
  ['port out of range', { port: 70_000 }, /port must be an integer from 0 to 65535, got 70000/],
  ['port not a number', { port: Number.NaN }, /port must be an integer from 0 to 65535, got NaN/],
  ['peer list above the protocol limit', { maxPeersInList: LIMITS.maxPeersInList + 1 }, new RegExp(`maxPeersInList must be an integer from 1 to ${LIMITS.maxPeersInList}`)],
  ['zero swarms per connection', { maxSwarmsPerConnection: 0 }, /maxSwarmsPerConnection must be an integer from 1/],
  ['negative rate', { rateLimitMessagesPerSec: -1 }, /rateLimitMessagesPerSec must be a finite number > 0, got -1/],
  ['fractional burst', { rateLimitBurst: 1.5 }, /rateLimitBurst must be an integer/],
  ['empty host', { host: '' }, /host must be a non-empty string/],
  ['zero connections', { maxConnections: 0 }, /maxConnections must be an integer from 1/],
  ['zero connections per ip', { maxConnectionsPerIp: 0 }, /maxConnectionsPerIp must be an integer from 1/],
  ['a string where a number belongs', { heartbeatIntervalMs: '10' as unknown as number }, /heartbeatIntervalMs must be an integer from 1 to 4294967295, got "10"/],
  ['an unknown WebSocket layer', { webSocketLayer: 'uws' as unknown as 'ws' }, /webSocketLayer must be 'lite' or 'ws', got "uws"/],
  ['an unknown option', { prot: 1 } as unknown as Partial<TrackerConfig>, /unknown option 'prot'/],
];

for (const [name, partial, message] of invalid) {
  void test(`invalid config: ${name}`, () => {
    assert.throws(
      () => resolveTrackerConfig(partial),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /^Invalid tracker config: /);
        assert.match(error.message, message);
        return true;
      },
    );
  });
}

void test('every problem is reported at once', () => {
  assert.throws(() => resolveTrackerConfig({ port: -1, maxConnections: 0 }), /port must be .*; maxConnections must be/);
});

void test('startTracker rejects an invalid config before listening', async () => {
  await assert.rejects(startTracker({ heartbeatTimeoutMs: 10, heartbeatIntervalMs: 20 }), /Invalid tracker config: heartbeatTimeoutMs/);
});
