import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEngineOverrides, parseViewerParams } from '../src/viewer-params.js';

/** The page's location, as far as parseViewerParams reads it. */
function at(href: string): Location {
  return new URL(href) as unknown as Location;
}

void describe('viewer page params: tracker URLs', () => {
  void test('one tracker param: trackerUrl alone, no list', () => {
    const p = parseViewerParams(at('http://origin.test/index.html?tracker=ws%3A%2F%2Ft1.test%2F'));
    assert.equal(p.trackerUrl, 'ws://t1.test/');
    assert.deepEqual(p.trackerUrls, []);
  });

  void test('repeated tracker params: the list in order, trackerUrl the first', () => {
    const p = parseViewerParams(at('http://origin.test/index.html?tracker=ws%3A%2F%2Ft2.test%2F&tracker=ws%3A%2F%2Ft1.test%2F'));
    assert.equal(p.trackerUrl, 'ws://t2.test/');
    assert.deepEqual(p.trackerUrls, ['ws://t2.test/', 'ws://t1.test/']);
  });

  void test('no tracker param: the injected URL, else this host on port 8081', () => {
    assert.equal(parseViewerParams(at('http://origin.test/'), 'ws://injected.test/').trackerUrl, 'ws://injected.test/');
    assert.equal(parseViewerParams(at('https://origin.test/')).trackerUrl, 'wss://origin.test:8081/');
  });
});

void describe('viewer page params: records', () => {
  void test('absent: none; present: passed on as given (the engine config checks it)', () => {
    assert.equal(parseViewerParams(at('http://origin.test/')).recordsUrl, undefined);
    assert.equal(parseViewerParams(at(`http://origin.test/?records=${encodeURIComponent('http://signer.test:8090/integrity/live')}`)).recordsUrl, 'http://signer.test:8090/integrity/live');
  });
});

void describe('viewer page params: expectSeeder', () => {
  void test('off by default, on with 1, a clear error otherwise', () => {
    assert.equal(parseViewerParams(at('http://origin.test/')).expectSeeder, false);
    assert.equal(parseViewerParams(at('http://origin.test/?expectSeeder=1')).expectSeeder, true);
    assert.throws(() => parseViewerParams(at('http://origin.test/?expectSeeder=yes')), /expectSeeder must be 0 or 1/);
  });
});

void describe('viewer page params: catchUp', () => {
  void test('1 (hls.js never speeds up) by default, a rate from 1 to 2, a clear error otherwise', () => {
    assert.equal(parseViewerParams(at('http://origin.test/')).catchUpRate, 1);
    assert.equal(parseViewerParams(at('http://origin.test/?catchUp=1.5')).catchUpRate, 1.5);
    for (const bad of ['0.5', '3', 'fast', '', 'NaN']) {
      assert.throws(() => parseViewerParams(at(`http://origin.test/?catchUp=${bad}`)), /catchUp must be a playback rate from 1 to 2/);
    }
  });
});

void describe('viewer page params: joinDelay', () => {
  void test("Swarmcast's default when absent, whole ms from 0, a clear error otherwise", () => {
    assert.equal(parseViewerParams(at('http://origin.test/')).maxJoinDelayMs, undefined);
    assert.equal(parseViewerParams(at('http://origin.test/?joinDelay=0')).maxJoinDelayMs, 0);
    assert.equal(parseViewerParams(at('http://origin.test/?joinDelay=2500')).maxJoinDelayMs, 2500);
    for (const bad of ['-1', '1.5', 'soon', '', '1e3', '9999999']) {
      assert.throws(() => parseViewerParams(at(`http://origin.test/?joinDelay=${bad}`)), /joinDelay must be a whole number of ms/);
    }
  });
});

void describe('viewer page params: uploadCap', () => {
  void test('kbit/s to the engine\'s bytes/s; absent is no cap; anything but a whole positive number is refused', () => {
    assert.equal(parseViewerParams(at('http://origin.test/')).uploadCapBytesPerSec, undefined);
    assert.equal(parseViewerParams(at('http://origin.test/?uploadCap=640')).uploadCapBytesPerSec, 80_000);
    for (const bad of ['0', '-1', '1.5', 'abc', '', '99999999']) {
      assert.throws(() => parseViewerParams(at(`http://origin.test/?uploadCap=${bad}`)), /uploadCap must be a whole number of kbit\/s/);
    }
  });
});

void describe('viewer page params: uploadDelayTarget', () => {
  void test('ms to the engine; 0 turns the pace off; absent is the default; anything else is refused', () => {
    assert.equal(parseViewerParams(at('http://origin.test/')).uploadDelayTargetMs, undefined);
    assert.equal(parseViewerParams(at('http://origin.test/?uploadDelayTarget=0')).uploadDelayTargetMs, 0);
    assert.equal(parseViewerParams(at('http://origin.test/?uploadDelayTarget=150')).uploadDelayTargetMs, 150);
    for (const bad of ['5', '-1', '1.5', 'abc', '', '9999999']) {
      assert.throws(() => parseViewerParams(at(`http://origin.test/?uploadDelayTarget=${bad}`)), /uploadDelayTarget must be 0 \(off\) or a whole number of ms/);
    }
  });
});

void describe('viewer page params: buffer', () => {
  void test("whole seconds from 1 to 600; absent leaves hls.js's defaults; anything else is refused", () => {
    assert.equal(parseViewerParams(at('http://origin.test/')).bufferSec, undefined);
    assert.equal(parseViewerParams(at('http://origin.test/?buffer=30')).bufferSec, 30);
    assert.equal(parseViewerParams(at('http://origin.test/?buffer=600')).bufferSec, 600);
    for (const bad of ['0', '601', '1.5', '-3', '', 'x', '1000']) {
      assert.throws(() => parseViewerParams(at(`http://origin.test/?buffer=${bad}`)), /buffer must be a whole number of seconds from 1 to 600/);
    }
  });
});

void describe('viewer page params: level', () => {
  void test('a level index pins the rendition; absent leaves ABR on; anything else is refused', () => {
    assert.equal(parseViewerParams(at('http://origin.test/')).level, undefined);
    assert.equal(parseViewerParams(at('http://origin.test/?level=0')).level, 0);
    assert.equal(parseViewerParams(at('http://origin.test/?level=2')).level, 2);
    for (const bad of ['-1', '1.5', 'abc', '', '1000']) {
      assert.throws(() => parseViewerParams(at(`http://origin.test/?level=${bad}`)), /level must be a level index/);
    }
  });
});

void describe('viewer page params: engine', () => {
  void test('name=number pairs to the engine; absent is none; malformed entries, names it lacks and values it refuses are refused', () => {
    assert.deepEqual(parseViewerParams(at('http://origin.test/')).engineOverrides, {});
    assert.deepEqual(parseViewerParams(at('http://origin.test/?engine=uploadAdmissionDelayMs%3D250%2CuploadSlots%3D2')).engineOverrides, { uploadAdmissionDelayMs: 250, uploadSlots: 2 });
    assert.deepEqual(parseEngineOverrides('chunkBytes=16384'), { chunkBytes: 16384 });
    for (const bad of ['uploadSlots', 'uploadSlots=', 'uploadSlots=x', 'uploadSlots=Infinity', 'uploadSlots=1,,maxPeers=2', 'uploadSlots=1=2']) {
      assert.throws(() => parseEngineOverrides(bad), /Invalid param: engine: engine settings are name=number pairs/, bad);
    }
    for (const bad of ['=3', 'Upper=1', 'a-b=1', '__proto__=1', 'uploadAdmisionDelayMs=250', 'seeder=1']) {
      assert.throws(() => parseEngineOverrides(bad), /Invalid param: engine: the engine has no numeric setting/, bad);
    }
    assert.throws(() => parseEngineOverrides('maxPeers=1,maxPeers=2'), /maxPeers given twice/);
    assert.throws(() => parseEngineOverrides(Array.from({ length: 65 }, () => 'maxPeers=1').join(',')), /at most 64, got 65/);
    assert.throws(() => parseEngineOverrides('chunkBytes=100'), /chunkBytes must be 1024-/);
  });
});
