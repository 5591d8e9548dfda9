import assert from 'node:assert/strict';
import { test } from 'node:test';
import { originDefaults, resolveOriginConfig, type OriginConfig } from '../src/config.js';
import { OriginError } from '../src/errors.js';

test('resolveOriginConfig merges over the defaults; undefined keeps the default', () => {
  assert.deepEqual(resolveOriginConfig(), originDefaults);
  assert.deepEqual(resolveOriginConfig({ port: 0, liveSource: 'loop', host: undefined }), { ...originDefaults, port: 0, liveSource: 'loop' });
  assert.equal(originDefaults.host, '127.0.0.1');
  assert.equal(originDefaults.port, 8080);
  assert.equal(originDefaults.liveSource, 'auto');
  assert.equal(originDefaults.liveWindowSegments, 6);
  assert.equal(originDefaults.vodLoops, 4);
});

test('resolveOriginConfig rejects invalid fields with a clear message', () => {
  const cases: [Partial<OriginConfig>, RegExp][] = [
    [{ port: -1 }, /port must be an integer in \[0, 65535\], got -1/],
    [{ port: 1.5 }, /port/],
    [{ host: '' }, /host must be a non-empty string/],
    [{ liveSource: 'cdn' as OriginConfig['liveSource'] }, /liveSource must be 'auto', 'loop' or 'ffmpeg', got "cdn"/],
    [{ liveWindowSegments: 2 }, /liveWindowSegments must be an integer in \[3, 1000\]/],
    [{ vodLoops: 0 }, /vodLoops/],
    [{ staticDir: '' }, /staticDir/],
  ];
  for (const [partial, message] of cases) {
    assert.throws(
      () => resolveOriginConfig(partial),
      (e: unknown) => e instanceof OriginError && e.code === 'ORIGIN_INVALID_CONFIG' && message.test(e.message) && e.message.includes('Invalid config: '),
    );
  }
});
