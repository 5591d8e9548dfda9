/** Numeric engine settings from text, as tools take them (bench:live and the simulator's --engine, the demo page). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEngineSettings } from '../src/settings-text.ts';

void describe('parseEngineSettings', () => {
  void test('name=number pairs of the engine\'s numeric settings; empty text is none', () => {
    assert.deepEqual(parseEngineSettings(''), {});
    assert.deepEqual(parseEngineSettings('uploadAdmissionDelayMs=250,uploadSlots=2,httpSafetyMs=1500.5'), { uploadAdmissionDelayMs: 250, uploadSlots: 2, httpSafetyMs: 1500.5 });
  });

  void test('malformed entries, names it lacks (or that are not numbers), repeats and values it refuses fail', () => {
    for (const bad of ['uploadSlots', 'uploadSlots=', 'uploadSlots=x', 'uploadSlots=Infinity', 'uploadSlots=1,,maxPeers=2', 'uploadSlots=1=2']) {
      assert.throws(() => parseEngineSettings(bad), /engine settings are name=number pairs/, bad);
    }
    for (const bad of ['=3', 'Upper=1', '__proto__=1', 'constructor=1', 'uploadAdmisionDelayMs=250', 'seeder=1', 'trackerUrl=1']) {
      assert.throws(() => parseEngineSettings(bad), /the engine has no numeric setting/, bad);
    }
    assert.throws(() => parseEngineSettings('maxPeers=1,maxPeers=2'), /maxPeers given twice/);
    assert.throws(() => parseEngineSettings(Array.from({ length: 65 }, () => 'maxPeers=1').join(',')), /at most 64, got 65/);
    assert.throws(() => parseEngineSettings('chunkBytes=100'), /chunkBytes must be 1024-/);
    assert.throws(() => parseEngineSettings('minPeers=9,maxPeers=4'), /minPeers \(9\) must not exceed maxPeers \(4\)/);
    assert.throws(() => parseEngineSettings('uploadSlots=-1'), /uploadSlots must be a finite number >= 0/);
  });
});
