import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { ClientMessage } from '@swarmcast/protocol';
import { startTracker } from '../src/index.js';
import type { MonitoringData, TrackerConfig, TrackerServer } from '../src/index.js';
import { captureLog } from './log-capture.js';
import { parseExposition, valueOf } from './prom-text.js';
import { OFFER, connect, eventually, joined, openClient } from './test-client.js';
import type { TestClient } from './test-client.js';

const TOKEN = 'monitoring-token-0123456789';

async function start(t: TestContext, config: Partial<TrackerConfig> = {}): Promise<TrackerServer> {
  const tracker = await startTracker({ port: 0, ...config });
  t.after(() => tracker.close());
  return tracker;
}

function summary(swarm: string, httpBytes: number, p2pBytes: number, extra: Partial<ClientMessage & { type: 'summary' }> = {}): ClientMessage {
  return { type: 'summary', swarm, httpBytes, p2pBytes, uploadedBytes: 0, segmentsHttp: 1, segmentsP2p: 1, stalls: 0, stalledMs: 0, liveLatencyMs: 5000, peers: 1, ...extra };
}

async function metrics(tracker: TrackerServer, headers: Record<string, string> = {}): Promise<ReturnType<typeof parseExposition>> {
  const response = await fetch(`${tracker.httpUrl}/metrics`, { headers });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

void describe('observability: summaries and /metrics', () => {
  void test('after a scripted set of clients, /metrics holds the right counts, shares and bounded stream labels', async (t) => {
    const tracker = await start(t, { summaryIntervalMs: 200, maxStreamsLabelled: 2 });
    const a = await joined(t, tracker.url, 'live/a');
    const b = await joined(t, tracker.url, 'live/a');
    const c = await joined(t, tracker.url, 'live/b');
    const others: TestClient[] = [];
    for (const swarm of ['live/b', 'live/c', 'live/d']) others.push(await joined(t, tracker.url, swarm));
    a.send(summary('live/a', 1000, 0));
    b.send(summary('live/a', 100, 900));
    c.send(summary('live/b', 500, 500));
    for (const [i, o] of others.entries()) o.send(summary(['live/b', 'live/c', 'live/d'][i] ?? '', 10, 0));
    // Too soon after b's first: ignored, not fatal.
    b.send(summary('live/a', 100, 5000));
    b.send({ type: 'signal', swarm: 'live/a', to: a.peerId, data: OFFER });
    await a.expect('signal');
    await Promise.all([a, b, c, ...others].map((x) => x.roundTrip()));
    const bad = await openClient(t, tracker.url);
    bad.sendRaw('not json');
    await bad.closed;

    const m = await metrics(tracker);
    const p = 'swarmcast_tracker_';
    assert.equal(valueOf(m, `${p}connections`), 6);
    assert.equal(valueOf(m, `${p}swarms`), 4);
    assert.equal(valueOf(m, `${p}messages_total`, { type: 'join' }), 6);
    assert.equal(valueOf(m, `${p}messages_total`, { type: 'summary' }), 7);
    assert.equal(valueOf(m, `${p}summaries_total`), 6);
    assert.equal(valueOf(m, `${p}rejects_total`, { reason: 'SUMMARY_TOO_FREQUENT' }), 1);
    assert.equal(valueOf(m, `${p}rejects_total`, { reason: 'TRACKER_MSG_NOT_JSON' }), 1);
    assert.equal(valueOf(m, `${p}signal_relay_seconds_count`), 1);
    assert.ok(valueOf(m, `${p}signal_relay_seconds_sum`) < 0.1);
    assert.equal(valueOf(m, `${p}peer_bytes_total`, { source: 'http' }), 1630);
    assert.equal(valueOf(m, `${p}peer_bytes_total`, { source: 'p2p' }), 1400);
    assert.equal(valueOf(m, `${p}origin_bytes_saved_total`), 1400);
    assert.equal(valueOf(m, `${p}p2p_share`), 1400 / 3030);
    // Two streams labelled (most viewers first), the other two summed under "other".
    const labelled = m.filter((s) => s.name === `${p}stream_viewers`).map((s) => [s.labels['stream'], s.value]);
    assert.deepEqual(labelled, [['live/a', 2], ['live/b', 2], ['other', 2]]);
    assert.equal(valueOf(m, `${p}stream_p2p_share`, { stream: 'live/a' }), 900 / 2000);
    assert.equal(valueOf(m, `${p}stream_bytes`, { stream: 'other', source: 'http' }), 20);
    assert.equal(valueOf(m, `${p}stream_live_latency_seconds`, { stream: 'live/a' }), 5);

    // A departed peer's bytes stay counted; its stream's viewers drop.
    await b.close();
    await eventually(() => tracker.stats().swarmsDetail['live/a']?.peers === 1, 'b left');
    const m2 = await metrics(tracker);
    assert.equal(valueOf(m2, `${p}stream_bytes`, { stream: 'live/a', source: 'p2p' }), 900);
    assert.equal(valueOf(m2, `${p}stream_viewers`, { stream: 'live/a' }), 1);
    assert.equal(valueOf(m2, `${p}peer_bytes_total`, { source: 'p2p' }), 1400);
  });

  void test('a hostile client cannot blow up label cardinality', async (t) => {
    const tracker = await start(t, { summaryIntervalMs: 200, maxStreamsLabelled: 3, maxSwarmsPerConnection: 100 });
    const x = await connect(t, tracker.url);
    for (let i = 0; i < 40; i++) {
      x.join(`spam/${i}`);
      await x.expect('joined');
      x.send(summary(`spam/${i}`, 1, 1));
    }
    await x.roundTrip();
    const streams = new Set((await metrics(tracker)).filter((s) => s.name.startsWith('swarmcast_tracker_stream_')).map((s) => s.labels['stream']));
    assert.equal(streams.size, 4, `3 labelled + other: ${[...streams].join(', ')}`);
    assert.ok(streams.has('other'));
  });

  void test('summaries: announced in welcome, refused for a swarm not joined, ignored when turned off', async (t) => {
    const tracker = await start(t, { summaryIntervalMs: 300 });
    const a = await openClient(t, tracker.url);
    assert.equal((await a.expect('welcome')).summaryIntervalMs, 300);
    a.send(summary('nowhere', 1, 1));
    assert.equal((await a.expect('error')).code, 'NOT_IN_SWARM');
    const off = await start(t, { summaryIntervalMs: 0 });
    const b = await openClient(t, off.url);
    assert.equal('summaryIntervalMs' in (await b.expect('welcome')), false);
    b.join('s');
    await b.expect('joined');
    b.send(summary('s', 1, 1));
    await b.roundTrip();
    assert.equal(off.stats().rejects['SUMMARY_DISABLED'], 1);
  });

  void test('two trackers in one process keep their own registries', async (t) => {
    const one = await start(t);
    const two = await start(t);
    await joined(t, one.url, 's');
    const [m1, m2] = await Promise.all([metrics(one), metrics(two)]);
    assert.equal(valueOf(m1, 'swarmcast_tracker_connections'), 1);
    assert.equal(valueOf(m2, 'swarmcast_tracker_connections'), 0);
  });
});

void describe('observability: dashboard and token', () => {
  void test('the page and uPlot are served locally; data.json has viewers, shares and a history', async (t) => {
    const tracker = await start(t, { summaryIntervalMs: 200, historySampleMs: 100 });
    const page = await fetch(`${tracker.httpUrl}/dashboard`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<script src="\/dashboard\/uplot\.js">/);
    assert.doesNotMatch(html, /https?:\/\//, 'no external resource');
    for (const asset of ['/dashboard/uplot.js', '/dashboard/uplot.css', '/dashboard/dashboard.js', '/dashboard/dashboard.css']) {
      const r = await fetch(tracker.httpUrl + asset);
      assert.equal(r.status, 200, asset);
      assert.ok((await r.arrayBuffer()).byteLength > 500, asset);
    }
    const a = await joined(t, tracker.url, 'live/x');
    a.send(summary('live/x', 300, 700));
    await a.roundTrip();
    await sleep(350);
    const data = (await (await fetch(`${tracker.httpUrl}/dashboard/data.json`)).json()) as MonitoringData;
    const s = data.streams[0];
    assert.equal(s?.id, 'live/x');
    assert.equal(s.viewers, 1);
    assert.equal(s.p2pShare, 0.7);
    assert.ok(s.history !== null && s.history.t.length >= 2, 'sampled every 100 ms');
    assert.equal(s.history.p2pBytes.at(-1), 700);
    const last = s.history.t.at(-1) ?? 0;
    const since = (await (await fetch(`${tracker.httpUrl}/dashboard/data.json?since=${last}`)).json()) as MonitoringData;
    assert.ok((since.streams[0]?.history?.t ?? []).every((x) => x !== null && x > last), 'only newer samples');
  });

  void test('with a monitoring token, /metrics and data.json need it; the page does not', async (t) => {
    const tracker = await start(t, { monitoringToken: TOKEN });
    for (const path of ['/metrics', '/dashboard/data.json']) {
      assert.equal((await fetch(tracker.httpUrl + path)).status, 401, path);
      assert.equal((await fetch(tracker.httpUrl + path, { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status, 401, path);
      assert.equal((await fetch(tracker.httpUrl + path, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 200, path);
      assert.equal((await fetch(`${tracker.httpUrl}${path}?token=${TOKEN}`)).status, 200, path);
    }
    assert.equal((await fetch(`${tracker.httpUrl}/dashboard`)).status, 200);
    assert.equal((await fetch(`${tracker.httpUrl}/metrics`, { method: 'POST' })).status, 405);
    await assert.rejects(startTracker({ port: 0, monitoringToken: 'short' }), /monitoringToken must be a string of at least 16 characters/);
  });
});

void describe('observability: logs', () => {
  void test('info for lifecycle only, warn once per address per interval with the suppressed count, debug per message', async (t) => {
    const log = captureLog('debug');
    const tracker = await startTracker({ port: 0, logger: log.logger, warnLogIntervalMs: 300 });
    let closed = false;
    t.after(async () => { if (!closed) await tracker.close(); });
    assert.deepEqual(log.at('info').map((l) => l.msg), ['tracker listening']);
    assert.equal(log.at('info')[0]?.url, tracker.url);

    const a = await joined(t, tracker.url, 's');
    await a.roundTrip();
    const debugTypes = log.at('debug').filter((l) => l.msg === 'message').map((l) => l.type);
    assert.deepEqual(debugTypes, ['join', 'ping']);
    assert.ok(log.at('debug').every((l) => l.module === 'tracker'));

    const garbage = async (): Promise<void> => {
      const c = await openClient(t, tracker.url);
      c.sendRaw('{');
      await c.closed;
    };
    await garbage();
    await garbage();
    await garbage();
    let warns = log.at('warn');
    assert.equal(warns.length, 1, 'one line for three refusals from 127.0.0.1');
    assert.equal(warns[0]?.code, 'TRACKER_MSG_NOT_JSON');
    assert.equal(warns[0].ip, '127.0.0.1');
    assert.equal(warns[0].suppressed, 0);
    await sleep(350);
    await garbage();
    warns = log.at('warn');
    assert.equal(warns.length, 2);
    assert.equal(warns[1]?.suppressed, 2);
    // A routine refusal (a signal to a peer that left) is debug, not warn.
    a.send({ type: 'signal', swarm: 's', to: 'gone', data: OFFER });
    await a.roundTrip();
    assert.equal(log.at('warn').length, 2);
    assert.ok(log.at('debug').some((l) => l.code === 'SIGNAL_UNKNOWN_PEER'));

    await tracker.close();
    closed = true;
    assert.deepEqual(log.at('info').map((l) => l.msg), ['tracker listening', 'tracker closing', 'tracker closed']);
    assert.deepEqual(log.at('error'), []);
  });

  void test('silent by default; a logger that is not one is refused', async (t) => {
    await start(t);
    await assert.rejects(startTracker({ port: 0, logger: {} as never }), /logger must be a pino logger/);
  });
});
