/** The viewer page's Swarmcast: engine settings are checked when it is built, before anything plays. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Swarmcast } from '@swarmcast/hlsjs';
import { createP2pDelivery } from '../src/p2p-delivery.js';
import type { SegmentRecorder } from '../src/segment-recorder.js';

const recorder = { record: () => undefined } as unknown as SegmentRecorder;
const TRACKER = 'ws://tracker.test/ws';

void describe('the page\'s P2P delivery: engine settings', () => {
  void test('the settings given are taken', () => {
    const delivery = createP2pDelivery(TRACKER, recorder, { engineOverrides: { uploadAdmissionDelayMs: 250, uploadSlots: 2 } });
    assert.deepEqual(Object.keys(delivery.hlsConfig), ['fLoader']);
    delivery.destroy();
  });

  void test('a value the engine refuses fails when Swarmcast is built, not when the first playlist starts the engine', () => {
    assert.throws(() => createP2pDelivery(TRACKER, recorder, { engineOverrides: { chunkBytes: 100 } }), /chunkBytes must be 1024-/);
    assert.throws(() => new Swarmcast({ trackerUrl: TRACKER, minPeers: 9, maxPeers: 4 }), /minPeers \(9\) must not exceed maxPeers \(4\)/);
    assert.throws(() => new Swarmcast({ trackerUrl: TRACKER, uploadSlots: -1 }), /uploadSlots must be a finite number >= 0/);
  });
});
