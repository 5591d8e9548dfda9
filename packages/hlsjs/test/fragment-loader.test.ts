import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Engine, LoadedSegment, SegmentRequest } from '@swarmcast/core';
import { INIT_SEGMENT_SN, MAX_PARTS_PER_SEGMENT, initSegmentRenditionId, partRenditionId, renditionIdFromUrl } from '@swarmcast/protocol';
import type { FragmentLoaderContext, HlsConfig, Loader, LoaderCallbacks, LoaderConfiguration, LoaderStats } from 'hls.js';
import { reportedLoadMs } from '../src/abr-report.ts';
import { createFragmentLoader, type FragmentLoaderHost } from '../src/fragment-loader.ts';
import { fragmentIdentity, type FragmentLoad } from '../src/fragment-identity.ts';
import { Swarmcast } from '../src/swarmcast.ts';

const PLAYLIST = 'https://cdn.test/v/720p.m3u8?token=viewer-1';
const IDENTITY_KEY = { method: 'AES-128', keyFormat: 'identity' };

function load(over: Partial<FragmentLoad['frag']> & { url?: string; part?: FragmentLoad['part'] } = {}): FragmentLoad {
  const { url = 'https://cdn.test/v/720p/seg-7.ts?token=viewer-1', part, ...frag } = over;
  return {
    url,
    ...(part ? { part } : {}),
    frag: { sn: 7, baseurl: PLAYLIST, byteRange: [], encrypted: false, decryptdata: null, ...frag },
  };
}

void describe('fragmentIdentity', () => {
  void test('a media segment is {rendition of its playlist URL without tokens, sn}', () => {
    const a = fragmentIdentity(load());
    const b = fragmentIdentity(load({ baseurl: 'https://cdn.test/v/720p.m3u8?token=viewer-2' }));
    assert.deepEqual(a, { ref: { rendition: renditionIdFromUrl('https://cdn.test/v/720p.m3u8'), sn: 7 }, range: undefined, init: false });
    assert.deepEqual(b, a);
  });

  void test('an EXT-X-BYTERANGE segment keeps rendition + sn and carries its range', () => {
    const id = fragmentIdentity(load({ url: 'https://cdn.test/v/720p/main.ts?t=1', byteRange: [1000, 5000] }));
    assert.deepEqual(id, { ref: { rendition: renditionIdFromUrl(PLAYLIST), sn: 7 }, range: { startBytes: 1000, endBytes: 5000 }, init: false });
    assert.equal(typeof fragmentIdentity(load({ byteRange: [5000, 5000] })), 'string', 'an empty range is refused');
    assert.equal(typeof fragmentIdentity(load({ byteRange: [-1, 5] })), 'string');
  });

  void test('an init segment is {initSegmentRenditionId(its URL without tokens, its range), sn 0}', () => {
    const init = 'https://cdn.test/v/720p/init.mp4';
    const a = fragmentIdentity(load({ sn: 'initSegment', url: `${init}?token=viewer-1` }));
    const b = fragmentIdentity(load({ sn: 'initSegment', url: `${init}?token=viewer-2` }));
    assert.deepEqual(a, { ref: { rendition: initSegmentRenditionId(init), sn: INIT_SEGMENT_SN }, range: undefined, init: true });
    assert.deepEqual(b, a);
    const ranged = fragmentIdentity(load({ sn: 'initSegment', url: init, byteRange: [0, 720] }));
    assert.deepEqual(ranged, { ref: { rendition: initSegmentRenditionId(init, { startBytes: 0, endBytes: 720 }), sn: 0 }, range: { startBytes: 0, endBytes: 720 }, init: true });
  });

  void test('AES-128 ciphertext is shared; SAMPLE-AES, DRM key formats and encrypted init segments are not', () => {
    const aes = fragmentIdentity(load({ encrypted: true, decryptdata: IDENTITY_KEY }));
    assert.equal(typeof aes, 'object');
    assert.equal(typeof fragmentIdentity(load({ encrypted: true, decryptdata: { method: 'SAMPLE-AES', keyFormat: 'identity' } })), 'string');
    assert.equal(typeof fragmentIdentity(load({ encrypted: true, decryptdata: { method: 'AES-128', keyFormat: 'com.example.drm' } })), 'string');
    assert.equal(typeof fragmentIdentity(load({ encrypted: true, decryptdata: null })), 'string');
    assert.equal(typeof fragmentIdentity(load({ sn: 'initSegment', encrypted: true, decryptdata: IDENTITY_KEY })), 'string');
  });

  void test('an LL-HLS part is {partRenditionId(playlist rendition, index), parent sn} with its own range, tokens aside', () => {
    const a = fragmentIdentity(load({ url: 'https://cdn.test/v/720p/part-7.2.m4s?token=viewer-1', part: { index: 2, byteRange: [] } }));
    const b = fragmentIdentity(load({ baseurl: 'https://cdn.test/v/720p.m3u8?token=viewer-2', part: { index: 2, byteRange: [] } }));
    assert.deepEqual(a, { ref: { rendition: partRenditionId(renditionIdFromUrl(PLAYLIST), 2), sn: 7 }, range: undefined, init: false });
    assert.deepEqual(b, a);
    const ranged = fragmentIdentity(load({ byteRange: [0, 9000], part: { index: 1, byteRange: [3000, 6000] } }));
    assert.deepEqual(ranged, { ref: { rendition: partRenditionId(renditionIdFromUrl(PLAYLIST), 1), sn: 7 }, range: { startBytes: 3000, endBytes: 6000 }, init: false });
    assert.equal(typeof fragmentIdentity(load({ part: { index: MAX_PARTS_PER_SEGMENT, byteRange: [] } })), 'string');
    assert.equal(typeof fragmentIdentity(load({ part: { index: 0, byteRange: [5, 5] } })), 'string');
    assert.equal(typeof fragmentIdentity(load({ encrypted: true, decryptdata: { method: 'SAMPLE-AES', keyFormat: 'identity' }, part: { index: 0, byteRange: [] } })), 'string');
  });

  void test('across EXT-X-DISCONTINUITY the sn keeps counting: nothing special, each segment its own ref', () => {
    const before = fragmentIdentity(load({ sn: 99 }));
    const after = fragmentIdentity(load({ sn: 100 }));
    assert.ok(typeof before === 'object' && typeof after === 'object');
    assert.equal(before.ref.rendition, after.ref.rendition);
    assert.notEqual(before.ref.sn, after.ref.sn);
  });
});

void describe('reportedLoadMs (what hls.js ABR measures)', () => {
  void test('peer and store deliveries are reported at the HTTP estimate, fast or slow', () => {
    assert.equal(reportedLoadMs(500_000, 'p2p', 3, 250_000, 8e6), 2_000, 'an instant transfer does not inflate');
    assert.equal(reportedLoadMs(500_000, 'p2p', 9_000, 250_000, 8e6), 2_000, 'a slow peer does not hold it down');
    assert.equal(reportedLoadMs(500_000, 'store', 0, 250_000, 8e6), 2_000);
    assert.equal(reportedLoadMs(500_000, 'http', 1_900, 250_000, 8e6), 2_000, 'HTTP too: the estimate includes this fetch');
  });

  void test("before any HTTP sample, hls.js's own estimate stands in for peers; HTTP reports its real time", () => {
    assert.equal(reportedLoadMs(500_000, 'p2p', 3, undefined, 4e6), 1_000);
    assert.equal(reportedLoadMs(500_000, 'http', 1_234, undefined, 4e6), 1_234);
    assert.equal(reportedLoadMs(500_000, 'p2p', 3, undefined, Number.NaN), 3);
  });
});

interface Recorded {
  requests: SegmentRequest[];
  fallbackLoads: string[];
  /** What segmentDelivered was told: sn and loadMs. */
  delivered: { sn: number; loadMs: number }[];
}

function harness(answer: (request: SegmentRequest) => LoadedSegment, httpBytesPerSec: number | undefined): { host: FragmentLoaderHost; recorded: Recorded; fallback: new (config: HlsConfig) => Loader<FragmentLoaderContext> } {
  const recorded: Recorded = { requests: [], fallbackLoads: [], delivered: [] };
  let nowMs = 10_000;
  const engine = {
    loadSegment(request: SegmentRequest): Promise<LoadedSegment> {
      recorded.requests.push(request);
      nowMs += 5; // a 5 ms P2P transfer
      return Promise.resolve(answer(request));
    },
    httpThroughputBytesPerSec: () => httpBytesPerSec,
  } as unknown as Engine;
  const host: FragmentLoaderHost = {
    engine: () => engine,
    media: () => null,
    now: () => nowMs,
    playerBandwidthBps: () => 5e6,
    segmentDelivered: (_rendition, sn, _source, _bytes, _init, loadMs) => { recorded.delivered.push({ sn, loadMs }); },
    fallbackLoaded: () => undefined,
    onBufferFlushed: () => () => undefined,
  };
  class Fallback {
    stats = {} as LoaderStats;
    context = null;
    load(context: FragmentLoaderContext): void {
      recorded.fallbackLoads.push(context.url);
    }
    abort(): void {}
    destroy(): void {}
  }
  return { host, recorded, fallback: Fallback };
}

/** Loads `l` through the fragment loader: its stats, or 'fallback' when it went to hls.js's loader. */
function run(h: ReturnType<typeof harness>, l: FragmentLoad): Promise<LoaderStats | 'fallback'> {
  const { host, fallback, recorded } = h;
  const fallbacksBefore = recorded.fallbackLoads.length;
  const Loader = createFragmentLoader(host, fallback);
  const loader = new Loader({} as HlsConfig);
  const config = { loadPolicy: { maxLoadTimeMs: 60_000 } } as unknown as LoaderConfiguration;
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (_r: unknown, stats: LoaderStats) => {
        loader.destroy();
        resolve(stats);
      },
      onError: (e: { text: string }) => reject(new Error(e.text)),
      onTimeout: () => reject(new Error('timeout')),
    } as unknown as LoaderCallbacks<FragmentLoaderContext>;
    loader.load(l as unknown as FragmentLoaderContext, config, callbacks);
    if (recorded.fallbackLoads.length > fallbacksBefore) resolve('fallback');
  }).finally(() => loader.destroy()) as Promise<LoaderStats | 'fallback'>;
}

void describe('the fragment loader', () => {
  void test('an AES-128 segment goes to the engine by its own URL; the key URI never does', async () => {
    const h = harness(() => ({ bytes: new Uint8Array(1000), source: 'p2p', fromStore: false }), 125_000);
    const { recorded } = h;
    const keyUri = 'https://keys.test/k1?token=viewer-1';
    const l = load({ encrypted: true, decryptdata: { ...IDENTITY_KEY, uri: keyUri } as typeof IDENTITY_KEY });
    assert.notEqual(await run(h, l), 'fallback');
    assert.deepEqual(recorded.requests.map((r) => r.url), [l.url]);
    assert.ok(!JSON.stringify(recorded.requests).includes('keys.test'));
    // hls.js loads keys with config.loader: Swarmcast replaces only fLoader.
    assert.deepEqual(Object.keys(new Swarmcast({ trackerUrl: 'ws://tracker.test/ws' }).hlsConfig()), ['fLoader']);
  });

  void test('SAMPLE-AES goes to hls.js own loader', async () => {
    const h = harness(() => ({ bytes: new Uint8Array(1), source: 'http', fromStore: false }), undefined);
    const { recorded } = h;
    assert.equal(await run(h, load({ encrypted: true, decryptdata: { method: 'SAMPLE-AES', keyFormat: 'identity' } })), 'fallback');
    assert.equal(recorded.requests.length, 0);
    assert.equal(recorded.fallbackLoads.length, 1);
  });

  void test('byte range and init flag reach the engine; a 5 ms P2P transfer is reported at the HTTP rate, and its 5 ms with the segment', async () => {
    const h = harness(() => ({ bytes: new Uint8Array(250_000), source: 'p2p', fromStore: false }), 125_000);
    const { recorded } = h;
    const stats = await run(h, load({ byteRange: [100, 250_100] }));
    assert.notEqual(stats, 'fallback');
    if (stats === 'fallback') return;
    assert.deepEqual(recorded.requests.at(0)?.range, { startBytes: 100, endBytes: 250_100 });
    assert.equal(recorded.requests.at(0)?.init, false);
    assert.equal(stats.loading.end - stats.loading.start, 2_000, '250 kB at 125 kB/s');
    assert.equal(stats.loading.first, stats.loading.start);
    assert.equal(stats.loaded, 250_000);
    // The segment event tells the load's own time, not the time reported to hls.js's ABR.
    assert.equal(recorded.delivered.at(0)?.loadMs, 5);
    await run(h, load({ sn: 'initSegment', url: 'https://cdn.test/v/init.mp4?token=x' }));
    assert.equal(recorded.requests.at(1)?.init, true);
    assert.deepEqual(recorded.requests.at(1)?.ref, { rendition: initSegmentRenditionId('https://cdn.test/v/init.mp4'), sn: 0 });
  });
});

/** A media element as the loader reads it: position, buffered ranges, readyState and 'seeking'. */
class FakeMedia {
  currentTime: number;
  readyState = 4;
  /** Played ranges: one by default (a page that has shown frames); none before the first frame ever. */
  played = { length: 1 };
  readonly paused = false;
  readonly playbackRate = 1;
  private ranges: [number, number][];
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(currentTime: number, ranges: [number, number][]) {
    this.currentTime = currentTime;
    this.ranges = ranges;
  }

  get buffered(): { length: number; start(i: number): number; end(i: number): number } {
    const r = this.ranges;
    return { length: r.length, start: (i) => r[i]?.[0] ?? 0, end: (i) => r[i]?.[1] ?? 0 };
  }

  addEventListener(type: string, fn: () => void): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(fn);
    this.listeners.set(type, set);
  }

  removeEventListener(type: string, fn: () => void): void {
    this.listeners.get(type)?.delete(fn);
  }

  setRanges(ranges: [number, number][]): void {
    this.ranges = ranges;
  }

  /** Jumps to `t`: readyState drops to HAVE_METADATA while seeking, even into the buffer, as Chromium's does. */
  seek(t: number): void {
    this.currentTime = t;
    this.readyState = 1;
    for (const fn of this.listeners.get('seeking') ?? []) fn();
  }
}

void describe('the fragment loader on a seek', () => {
  /**
   * Starts a load of the fragment at [20, 22) s with the playhead at 10 s (buffered from 8 to 20 s);
   * the engine never answers. The caller destroys the loader.
   */
  function pending(media = new FakeMedia(10, [[8, 20]])): { media: FakeMedia; requests: SegmentRequest[]; expedited: number[]; aborted: () => number; flush: () => void; loader: Loader<FragmentLoaderContext> } {
    const flushListeners = new Set<() => void>();
    const requests: SegmentRequest[] = [];
    const expedited: number[] = [];
    const engine = {
      loadSegment(request: SegmentRequest): Promise<LoadedSegment> {
        requests.push(request);
        return new Promise((_resolve, reject) => {
          request.signal?.addEventListener('abort', () => { reject(new Error('aborted')); });
        });
      },
      expedite: (_ref: unknown, deadlineMs: number) => { expedited.push(deadlineMs); },
      httpThroughputBytesPerSec: () => undefined,
    } as unknown as Engine;
    const host: FragmentLoaderHost = {
      engine: () => engine,
      media: () => media as unknown as HTMLMediaElement,
      now: () => 1_000,
      playerBandwidthBps: () => Number.NaN,
      segmentDelivered: () => undefined,
      fallbackLoaded: () => undefined,
      onBufferFlushed: (listener) => { flushListeners.add(listener); return () => flushListeners.delete(listener); },
    };
    const noFallback = function noFallback(): never { throw new Error('no fallback expected'); } as unknown as new (config: HlsConfig) => Loader<FragmentLoaderContext>;
    const Loader = createFragmentLoader(host, noFallback);
    const loader = new Loader({} as HlsConfig);
    let aborts = 0;
    const callbacks = {
      onSuccess: () => assert.fail('the engine never answers'),
      onError: () => assert.fail('no error expected'),
      onTimeout: () => assert.fail('no timeout expected'),
      onAbort: () => { aborts++; },
    } as unknown as LoaderCallbacks<FragmentLoaderContext>;
    const config = { loadPolicy: { maxLoadTimeMs: 60_000 } } as unknown as LoaderConfiguration;
    loader.load(load({ sn: 10, start: 20, duration: 2 } as Partial<FragmentLoad['frag']>) as unknown as FragmentLoaderContext, config, callbacks);
    return { media, requests, expedited, aborted: () => aborts, flush: () => { for (const l of [...flushListeners]) l(); }, loader };
  }

  void test('a seek back out of the buffer aborts the load, so hls.js loads the new position at once', () => {
    const p = pending();
    assert.equal(p.requests.at(0)?.deadlineMs, 1_000 + 10_000, 'needed when the playhead reaches 20 s');
    p.media.seek(3); // before the buffer's start: out of it
    assert.equal(p.aborted(), 1, 'hls.js told the load was aborted');
    assert.equal(p.requests.at(0)?.signal?.aborted, true, 'the engine load was aborted');
    assert.deepEqual(p.expedited, []);
    p.loader.destroy();
  });

  void test('a seek into the fragment, or back within the buffer, keeps the load and moves its deadline', () => {
    const into = pending();
    into.media.seek(20.5);
    assert.equal(into.aborted(), 0);
    assert.deepEqual(into.expedited, [1_000], 'needed now: out of the buffer');
    into.loader.destroy();
    const within = pending();
    within.media.seek(9);
    assert.equal(within.aborted(), 0, 'the fragment is still the next one the buffer needs');
    assert.deepEqual(within.expedited, [1_000], 'no frame at the new position yet: due now, as every load while seeking');
    within.loader.destroy();
  });

  void test('hls.js jumping a gap into the next buffered range, or to its start position before the first frame, keeps the load (no second request to the origin)', () => {
    // A seek to 10.5 s found nothing buffered there; hls.js skips the hole to 10.6 s, where the
    // fragment before the one in flight starts.
    const gap = pending(new FakeMedia(10.5, [[0, 8], [10.6, 20]]));
    gap.media.readyState = 1;
    gap.media.seek(10.67);
    assert.equal(gap.aborted(), 0, 'not aborted and asked again');
    assert.equal(gap.requests.at(0)?.signal?.aborted, false);
    assert.deepEqual(gap.expedited, [1_000]);
    gap.loader.destroy();
    // A live start: the first fragment [8, 20) is buffered, hls.js has not moved the playhead there yet.
    const start = pending(startingMedia());
    start.media.seek(8);
    assert.equal(start.aborted(), 0);
    assert.equal(start.requests.at(0)?.signal?.aborted, false);
    start.loader.destroy();
  });

  /** Before the first frame ever: the first fragment [8, 20) buffered, the playhead still at 0. */
  function startingMedia(): FakeMedia {
    const media = new FakeMedia(0, [[8, 20]]);
    media.readyState = 1;
    media.played = { length: 0 };
    return media;
  }

  void test('startup: the next fragment is due when playback, starting at the first buffer, reaches it; the seek to the start position keeps that', () => {
    const p = pending(startingMedia());
    assert.equal(p.requests.at(0)?.deadlineMs, 1_000 + 12_000, 'playback starts at 8 s and reaches 20 s 12 s later');
    p.media.seek(8); // hls.js's seek to the start position, before the first frame
    assert.deepEqual(p.expedited, [1_000 + 12_000], 'the same deadline: the engine keeps it');
    p.loader.destroy();
    const first = pending(new FakeMedia(0, []));
    first.media.readyState = 0;
    first.media.played = { length: 0 };
    assert.equal(first.requests.at(0)?.deadlineMs, 1_000, 'nothing buffered yet (the first fragment): due at once');
    first.loader.destroy();
  });

  void test('startup: hls.js asks for the second fragment before the first is appended; the first one handed stands in for the buffer', async () => {
    const h = harness(() => ({ bytes: new Uint8Array(1_000), source: 'http', fromStore: false }), undefined);
    const media = new FakeMedia(0, []);
    media.readyState = 0;
    media.played = { length: 0 };
    const Loader = createFragmentLoader({ ...h.host, media: () => media as unknown as HTMLMediaElement }, h.fallback);
    const config = { loadPolicy: { maxLoadTimeMs: 60_000 } } as unknown as LoaderConfiguration;
    const loadOne = (sn: number, start: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const loader = new Loader({} as HlsConfig);
        const frag = { sn, start, duration: 2 } as Partial<FragmentLoad['frag']>;
        loader.load(load({ ...frag, url: `https://cdn.test/v/seg-${String(sn)}.ts` }) as unknown as FragmentLoaderContext, config, {
          onSuccess: () => { loader.destroy(); resolve(); },
          onError: (e: { text: string }) => { reject(new Error(e.text)); },
          onTimeout: () => { reject(new Error('timeout')); },
        });
      });
    await loadOne(4, 8);
    assert.equal(h.recorded.requests.at(0)?.deadlineMs, 10_000, 'the first fragment: due at once');
    await loadOne(5, 10);
    assert.equal(h.recorded.requests.at(1)?.deadlineMs, 10_005 + 2_000, 'playback will start at 8 s and reach 10 s 2 s later');
    media.played = { length: 1 };
    await loadOne(6, 12);
    assert.equal(h.recorded.requests.at(2)?.deadlineMs, 10_010, 'once the page has played, an empty buffer means due at once');
  });

  void test('a page that has played and waits for data (a seek, a stall) gets no such grace: the next fragment is due at once', () => {
    const media = new FakeMedia(8, [[8, 20]]);
    media.readyState = 1;
    const p = pending(media);
    assert.equal(p.requests.at(0)?.deadlineMs, 1_000);
    p.loader.destroy();
  });

  void test('a buffer flush that leaves the playhead near the buffer\'s end (an ABR switch) brings the deadline of the fragment in flight forward', () => {
    const p = pending();
    p.media.setRanges([[8, 11]]); // the switch dropped the buffer ahead of the fragment playing
    p.flush();
    assert.deepEqual(p.expedited, [1_000 + 1_000], 'due at the end of the buffer: hls.js loads the missing fragments after this one');
    p.loader.destroy();
    p.flush();
    assert.equal(p.expedited.length, 1, 'a destroyed loader no longer listens');
  });
});
