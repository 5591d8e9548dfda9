/**
 * `npm run bench:nat -- [--nats LIST] [--chromium LIST] [--duration S] [--segment-delay-ms MS] [--no-stun-only] [--json FILE]`
 *
 * NAT traversal benchmark: one viewer-like Node peer per entry of --nats and one headless Chromium
 * viewer (the viewer page with hls.js) per entry of --chromium, each in its own network
 * namespace behind a NAT of that type (full-cone, port-restricted, symmetric, or open), the origin,
 * tracker and coturn on the public side (test/e2e/harness/nat-lab.ts). It plays a live stream twice:
 * with TURN announced by the tracker, then with STUN only (the comparison: what TURN adds). For every
 * pair of peers: the path their connection took (direct, relay, none) against the expected one, and
 * the bytes they exchanged; for every viewer: segments from peers and over HTTP, stalls. Writes the
 * figures as JSON and prints the table. Runs inside its own network namespace (scripts/in-netns.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseNatBenchArgs, type NatBenchArgs } from './lib/nat-args.js';
import { machineInfo } from './lib/machine.js';
import { assertChromiumInstalled, CHROMIUM_PATH } from '../test/e2e/harness/browser.js';
import { assertCoturnInstalled } from '../test/e2e/harness/coturn.js';
import { assertNatLabPossible } from '../test/e2e/harness/nat-lab.js';
import { formatNatPairs, runNatMatrix, type NatMatrixResult } from '../test/e2e/harness/nat-matrix.js';
import { assertViewerBuilt } from '../test/e2e/harness/viewer.js';

let args: NatBenchArgs;
try {
  args = parseNatBenchArgs(process.argv.slice(2));
  assertNatLabPossible();
  assertCoturnInstalled();
  if (args.chromiumNats.length > 0) {
    assertChromiumInstalled();
    assertViewerBuilt();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

const log = (line: string): void => { console.error(`[bench:nat] ${line}`); };
// Ctrl-C or a kill: the run stops its peers, coturn and servers and removes the lab, then we leave.
const interrupted = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    interrupted.abort();
  });
}


function figures(r: NatMatrixResult): object {
  const stalls = r.viewers.reduce((sum, v) => sum + v.stalls, 0);
  const count = (path: string): number => r.pairs.filter((p) => p.path === path).length;
  return {
    pairs: r.pairs,
    viewers: r.viewers,
    viewersPlayed: r.viewersPlayed,
    p2pShare: r.p2pShare,
    stalls,
    pathCounts: { direct: count('direct'), relay: count('relay'), none: count('none') },
    pairsAsExpected: r.pairs.filter((p) => p.path === p.expected).length,
    // Pairs whose two ends sent on different paths (one direct, one relayed).
    asymmetricPairs: r.pairs.filter((p) => p.pathsSeen.length > 1).length,
    turnRelayedBytes: r.turnRelayedBytes,
    // Node peers that froze (node-datachannel's relay deadlock) and were started again, by name.
    restarts: r.restarts,
    // Peers cut off for bytes that failed the integrity check or broke the protocol, over all viewers.
    integrityFailures: r.viewers.reduce((sum, v) => sum + v.integrityFailures + v.peerViolations, 0),
  };
}

function summary(label: string, r: NatMatrixResult): string {
  const asExpected = r.pairs.filter((p) => p.path === p.expected).length;
  const stalls = r.viewers.reduce((sum, v) => sum + v.stalls, 0);
  return [
    `== ${label}`,
    formatNatPairs(r.pairs),
    `pairs as expected: ${String(asExpected)}/${String(r.pairs.length)}   viewers played: ${String(r.viewersPlayed)}/${String(r.viewers.length)}` +
      `   P2P share: ${(100 * r.p2pShare).toFixed(1)} %   stalls: ${String(stalls)}   TURN relay bytes: ${String(r.turnRelayedBytes)}` +
      (Object.keys(r.restarts).length > 0 ? `   frozen and restarted: ${JSON.stringify(r.restarts)}` : ''),
    ...r.viewers.filter((v) => v.kind === 'chromium').map((v) =>
      `${v.name}: startup ${v.startupMs === null || v.startupMs === undefined ? 'never' : `${String(Math.round(v.startupMs))} ms`}, segments http ${String(v.segmentsHttp)} / p2p ${String(v.segmentsP2p)} (verified ${String(v.segmentsVerified)}),` +
      ` stalls ${String(v.stalls)}, integrity failures ${String(v.integrityFailures + v.peerViolations)}, candidates ${JSON.stringify(v.gatheredCandidates ?? {})}`),
  ].join('\n');
}

const loadAtStart = loadavg();
const common = { nats: args.nats, chromiumNats: args.chromiumNats, playMs: args.durationSec * 1000, segmentDelayMs: args.segmentDelayMs, log, signal: interrupted.signal };
log(`run with STUN + TURN: Node peers ${args.nats.join(', ') || 'none'}; Chromium viewers ${args.chromiumNats.join(', ') || 'none'}; ${String(args.durationSec)} s`);
let withTurn: NatMatrixResult;
let stunOnly: NatMatrixResult | null = null;
try {
  withTurn = await runNatMatrix({ ...common, turn: true });
  if (!args.skipStunOnly) {
    log('comparison run with STUN only');
    stunOnly = await runNatMatrix({ ...common, turn: false });
  }
} catch (error) {
  // Interrupted: the run has cleaned up after itself by now.
  if (interrupted.signal.aborted) process.exit(130);
  throw error;
}
const result = {
  date: new Date().toISOString(),
  machine: machineInfo(args.chromiumNats.length > 0 ? chromiumVersion() : 'none (Node peers only)'),
  // 1, 5 and 15 min load averages when the runs began and ended (the machine is shared).
  loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
  params: { nats: args.nats, chromiumNats: args.chromiumNats, durationSec: args.durationSec, segmentDelayMs: args.segmentDelayMs },
  ...figures(withTurn),
  stunOnly: stunOnly ? figures(stunOnly) : null,
  // What TURN adds, in the same run: P2P share with it over without it.
  ratios: stunOnly ? { p2pShareTurnOverStunOnly: stunOnly.p2pShare === 0 ? null : withTurn.p2pShare / stunOnly.p2pShare } : null,
};
const file = resolve(args.jsonFile);
await mkdir(dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(summary('STUN + TURN', withTurn));
if (stunOnly) console.log(`\n${summary('STUN only', stunOnly)}`);
console.log(`JSON: ${file}`);
const failed = [withTurn, ...(stunOnly ? [stunOnly] : [])].some((r) => r.viewersPlayed < r.viewers.length || r.pairs.some((p) => p.path !== p.expected));
if (failed) process.exitCode = 1;

function chromiumVersion(): string {
  const r = spawnSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8' });
  return r.stdout.trim() || 'unknown';
}
