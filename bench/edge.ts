/**
 * `npm run bench:edge -- [--viewers 8] [--duration 90] [--upload-kbps 240] [--join-spread 10]
 *  [--edge-cap-kbps K] [--json FILE] [--verbose]`
 *
 * An office behind one CDN link: N Chromium viewers, each in its own network namespace with its
 * upload capped below the stream's bitrate (tbf), play a live stream twice: without an edge peer
 * (withoutEdge) and with one Node edge peer next to the servers (withEdge: `swarmcast edge` in its
 * own process, as an office runs it).
 * Figure: originEgressPerSegment = origin segment bytes / bytes of one copy of each segment played.
 * Acceptance: withEdge <= 1.1, withoutEdge >= 4. Runs in a loopback-only namespace (in-netns.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ViewerReport } from '@swarmcast/web';
import type { BenchArgs } from './lib/args.js';
import { startEdgeProcess, type EdgeProcess, type EdgeProcessStats } from './lib/edge-process.js';
import { httpFetchReasons, seederFigures } from './lib/edge-figures.js';
import { originEgressPerSegment, uniqueSegmentBytes } from './lib/stats.js';
import { setUpEnvironment } from './lib/environment.js';
import type { BenchEnvironment } from './lib/environment.js';
import { loadSample } from './lib/load.js';
import { machineInfo } from './lib/machine.js';
import { SERVER_ADDRESS, assertTestbedPossible } from './lib/netns-testbed.js';
import { summarizeRun } from './lib/stats.js';
import { formatCounts, formatSummaryTable } from './lib/table.js';
import { warmUp } from './lib/warm-up.js';
import { assertChromiumInstalled } from '../test/e2e/harness/browser.js';
import { runSwarm } from '../test/e2e/harness/swarm-run.js';
import { assertViewerBuilt } from '../test/e2e/harness/viewer.js';

const { values } = parseArgs({
  options: {
    viewers: { type: 'string', default: '8' },
    duration: { type: 'string', default: '90' },
    'upload-kbps': { type: 'string', default: '240' },
    'join-spread': { type: 'string', default: '10' },
    'edge-cap-kbps': { type: 'string' },
    json: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});
const num = (name: string, raw: string, min: number, maxValue: number): number => {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > maxValue) throw new Error(`Invalid args: --${name} must be a number from ${min} to ${maxValue}, got ${raw}`);
  return v;
};
const viewers = Math.round(num('viewers', values.viewers, 1, 16));
const durationSec = num('duration', values.duration, 20, 3600);
const uploadKbps = num('upload-kbps', values['upload-kbps'], 64, 100_000);
const joinSpreadSec = num('join-spread', values['join-spread'], 0, 60);
const edgeCapKbps = values['edge-cap-kbps'] === undefined ? null : num('edge-cap-kbps', values['edge-cap-kbps'], 1, 10_000_000);
assertChromiumInstalled();
assertViewerBuilt();
assertTestbedPossible();
const args: BenchArgs = {
  viewers, durationSec, joinSpreadSec, mode: 'live',
  jsonFile: values.json ?? `.bench-out/edge-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  skipBaseline: true, verbose: values.verbose, churnPct: 0, uploadKbps, rttMs: null, engineCapKbps: null, engineDelayTargetMs: null, engineOverrides: {},
  // As its documented figures were measured.
  paintVideo: true,
};
const log = (line: string): void => { console.error(`[bench:edge] ${line}`); };

/** With the edge peer, the viewers are configured as an office's are: `expectSeeder` (see EngineConfig). */
async function run(env: BenchEnvironment, edge: EdgeProcess | null): Promise<{ reports: ViewerReport[]; originSegmentBytes: number; edgeStats: EdgeProcessStats | null }> {
  const { stack, browsers } = env;
  const reports = await runSwarm({
    browser: browsers.browserFor(0),
    browserFor: browsers.browserFor,
    src: stack.origin.liveMasterUrl,
    tracker: stack.tracker.url,
    p2p: true,
    expectSeeder: edge !== null,
    viewers,
    joinSpreadMs: joinSpreadSec * 1000,
    durationMs: durationSec * 1000,
    until: 'each',
    ...(args.verbose ? { log } : {}),
  });
  const originSegmentBytes = stack.origin.stats().segmentBytes;
  return { reports, originSegmentBytes, edgeStats: edge === null ? null : await edge.stop() };
}

const loadBefore = loadSample();
const env = await setUpEnvironment(args);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    env.closeNow();
    void env.close().finally(() => process.exit(130));
  });
}
let edge: EdgeProcess | null = null;
try {
  const { stack } = env;
  await Promise.all(env.allBrowsers.map((b) => warmUp(b, stack.origin.liveMasterUrl, stack.tracker.url)));
  log(`withoutEdge: ${viewers} viewers, upload ${uploadKbps} kbit/s each, ${durationSec} s`);
  stack.origin.resetStats();
  const without = await run(env, null);
  log('withEdge: the same with one edge peer');
  stack.origin.resetStats();
  // It joins and holds a segment before the first viewer comes.
  edge = await startEdgeProcess({
    streamUrl: stack.origin.liveMasterUrl,
    trackerUrl: stack.tracker.url,
    bindAddress: SERVER_ADDRESS,
    uploadCapKbps: edgeCapKbps,
    ...(args.verbose ? { log: (line: string) => { log(`edge: ${line}`); } } : { log: (line: string) => { if (line.startsWith('edge:')) log(line); } }),
  });
  const withEdgeRun = await run(env, edge);
  edge = null;
  const figures = (r: typeof without) => ({
    ...summarizeRun(r.reports, { durationSec, segmentBytesFromOrigin: r.originSegmentBytes, viewers }),
    originEgressPerSegment: originEgressPerSegment(r.originSegmentBytes, r.reports),
    uniqueSegmentBytes: uniqueSegmentBytes(r.reports),
    httpFetchReasons: httpFetchReasons(r.reports),
    seeder: seederFigures(r.reports),
    edge: r.edgeStats === null ? null : { peerId: r.edgeStats.peerId, segments: r.edgeStats.segments, httpBytes: r.edgeStats.engine.httpBytes, uploadedBytes: r.edgeStats.engine.uploadedBytes, peers: r.edgeStats.engine.peers },
    perViewer: r.reports.map(({ segments, ...rest }) => ({ ...rest, segments: segments.length })),
  });
  const withoutEdge = figures(without);
  const withEdge = figures(withEdgeRun);
  const acceptance = {
    withEdgeAtMost1_1: withEdge.originEgressPerSegment !== null && withEdge.originEgressPerSegment <= 1.1,
    withoutEdgeAtLeast4: withoutEdge.originEgressPerSegment !== null && withoutEdge.originEgressPerSegment >= 4,
  };
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo(env.chromiumVersion),
    load: { before: loadBefore, after: loadSample() },
    params: { viewers, durationSec, uploadKbps, joinSpreadSec, edgeCapKbps },
    withEdge,
    withoutEdge,
    acceptance,
  };
  const file = resolve(args.jsonFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`bench:edge: ${viewers} viewers, upload ${uploadKbps} kbit/s each, ${durationSec} s; load ${loadBefore.loadavg.join(' ')} -> ${result.load.after.loadavg.join(' ')}`);
  console.log(formatSummaryTable(withEdge, withoutEdge, null).replace('swarmcast', 'with edge').replace('hls.js only', 'without edge'));
  console.log(`origin egress per segment: withEdge ${withEdge.originEgressPerSegment ?? '–'} (<= 1.1: ${acceptance.withEdgeAtMost1_1 ? 'PASS' : 'FAIL'}), ` +
    `withoutEdge ${withoutEdge.originEgressPerSegment ?? '–'} (>= 4: ${acceptance.withoutEdgeAtLeast4 ? 'PASS' : 'FAIL'})`);
  console.log(`viewers' HTTP segment fetches by reason: withEdge ${formatCounts(withEdge.httpFetchReasons)}; withoutEdge ${formatCounts(withoutEdge.httpFetchReasons)}`);
  console.log(`viewers' startup-like loads that asked the edge peer: ${withEdge.seeder.attempts}, served ${withEdge.seeder.deliveries}, mean ${withEdge.seeder.meanWaitMs ?? '–'} ms; HTTP fetches after the edge peer failed: ${withEdge.seeder.httpFetchesAfter}`);
  if (withEdge.edge) console.log(`edge peer: ${withEdge.edge.segments} segments, ${(withEdge.edge.httpBytes / 1048576).toFixed(2)} MiB from the origin, ${(withEdge.edge.uploadedBytes / 1048576).toFixed(2)} MiB uploaded`);
  console.log(`JSON: ${file}`);
} finally {
  await edge?.stop();
  await env.close();
}
