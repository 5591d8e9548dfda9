/**
 * `npm run bench:swarm -- --peers N --duration S [--processes P] [--join-spread S] [--max-peers K]
 *  [--json FILE] [--cpu-prof DIR]`
 *
 * A large swarm of Node peers on one machine: the origin (live loop) and the tracker (integrity
 * authority, integrity required) in this process, N simulated players (lib/swarm-player.ts: a real
 * Engine on node-datachannel, following the live playlist with a simulated playback buffer) over P
 * child processes (default ceil(N / 25)), joining over the join spread, each playing S seconds.
 * Figures: p2pShare, origin egress per segment (baseline: N, plain HTTP for everyone), stalls,
 * starving peers, startup, and what each process cost (CPU, RSS). JSON to --json FILE, a summary
 * on stderr. Runs inside a loopback-only network namespace (scripts/in-netns.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadSample } from './lib/load.js';
import { machineInfo } from './lib/machine.js';
import { parseSwarmArgs, type SwarmArgs } from './lib/swarm-args.js';
import { startSwarmRun, type SwarmRun } from './lib/swarm-run.js';
import { formatSwarmSummary } from './lib/swarm-summary.js';

let args: SwarmArgs;
try {
  args = parseSwarmArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const log = (line: string): void => { console.error(`[bench:swarm] ${line}`); };
const { jsonFile, cpuProfDir, ...params } = args;
const loadBefore = loadSample();
log(`${params.peers} peers in ${params.processes} processes, maxPeers ${params.maxPeers}, joining over ${params.joinSpreadSec} s, ${params.durationSec} s each; load ${loadBefore.loadavg.join(' ')}`);
const run: SwarmRun = startSwarmRun(params, log, cpuProfDir === undefined ? {} : { cpuProfDir: resolve(cpuProfDir) });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the peer processes and servers`);
    void run.close().finally(() => process.exit(130));
  });
}
const figures = await run.figures;
const machine = machineInfo('not used');
const result = {
  date: new Date().toISOString(),
  machine: { cpus: machine.cpus, cpuModel: machine.cpuModel, memGiB: machine.memGiB, node: machine.node },
  load: { before: loadBefore, after: loadSample() },
  params,
  ...figures,
};
const file = resolve(jsonFile);
await mkdir(dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
console.error(formatSwarmSummary(figures, result.load));
console.error(`JSON: ${file}`);
