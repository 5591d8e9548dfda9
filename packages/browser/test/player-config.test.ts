/** A player integration's config split into the engine's part and the transport's. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { engineSettings, rtcSettings } from '../src/player-config.ts';

void describe('player config', () => {
  void test('the transport settings go to the transport only, every other setting to the engine', () => {
    const config = {
      trackerUrl: 'wss://t.test/',
      uploadSlots: 2,
      group: 'office',
      iceServers: [{ urls: 'stun:s.test' }],
      iceTransportPolicy: 'relay' as const,
      privacy: true,
      bufferedAmountLowThresholdBytes: 1000,
      iceDisconnectGraceMs: 5,
      iceRestartTimeoutMs: 6,
    };
    assert.deepEqual(engineSettings(config), { trackerUrl: 'wss://t.test/', uploadSlots: 2, group: 'office' });
    assert.deepEqual(rtcSettings(config), {
      iceServers: [{ urls: 'stun:s.test' }],
      iceTransportPolicy: 'relay',
      privacy: true,
      bufferedAmountLowThresholdBytes: 1000,
      iceDisconnectGraceMs: 5,
      iceRestartTimeoutMs: 6,
    });
  });

  void test('settings left out, or given as undefined, are not passed on as undefined', () => {
    assert.deepEqual(rtcSettings({ trackerUrl: 'wss://t.test/', privacy: undefined }), {});
    assert.deepEqual(rtcSettings({ privacy: false, iceDisconnectGraceMs: 0 }), { privacy: false, iceDisconnectGraceMs: 0 });
  });
});
