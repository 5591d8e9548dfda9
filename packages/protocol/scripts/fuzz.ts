/**
 * Long fuzz run of both wire decoders: the properties of the protocol test suite
 * (packages/protocol/test/peer-fuzz.ts, tracker-fuzz.ts), each run `--runs` times.
 *
 *   npx tsx packages/protocol/scripts/fuzz.ts [--runs 100000] [--seed N] [--only peer|tracker]
 *
 * Prints, per decoder, how many inputs were accepted and how many rejected with each
 * ProtocolError code, plus the slowest single input and the elapsed time. Exits 1 on any
 * contract violation (another exception, a non-canonical accept, ...) with the counterexample
 * and the seed to replay it, 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { Tally, type NamedProperty } from '../test/fuzz-contract.ts';
import { peerProperties } from '../test/peer-fuzz.ts';
import { trackerProperties } from '../test/tracker-fuzz.ts';

function usage(message: string): never {
  console.error(`${message}\nusage: fuzz.ts [--runs N] [--seed N] [--only peer|tracker]`);
  process.exit(2);
}

let values: { runs?: string; seed?: string; only?: string };
try {
  ({ values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string' } } }));
} catch (e) {
  usage(e instanceof Error ? e.message : String(e));
}
const runs = Number(values.runs ?? '10000');
if (!Number.isSafeInteger(runs) || runs < 1) usage(`--runs must be a positive integer, got ${values.runs ?? ''}`);
const seed = values.seed === undefined ? (Date.now() ^ (Math.random() * 0x7fff_ffff)) | 0 : Number(values.seed);
if (!Number.isSafeInteger(seed)) usage(`--seed must be an integer, got ${values.seed ?? ''}`);
if (values.only !== undefined && values.only !== 'peer' && values.only !== 'tracker') usage(`--only must be peer or tracker`);

const peer = new Tally();
const tracker = { client: new Tally(), server: new Tally() };
const groups: { title: string; properties: NamedProperty[]; tallies: [string, Tally][] }[] = [];
if (values.only !== 'tracker') groups.push({ title: 'decodePeerMessage', properties: peerProperties(peer), tallies: [['decodePeerMessage', peer]] });
if (values.only !== 'peer') {
  groups.push({
    title: 'tracker parsers',
    properties: trackerProperties(tracker),
    tallies: [
      ['parseClientMessage', tracker.client],
      ['parseServerMessage', tracker.server],
    ],
  });
}

console.log(`fuzz: ${runs} runs per property, seed ${seed}`);
const started = performance.now();
let failed = false;
for (const group of groups) {
  for (const p of group.properties) {
    const t0 = performance.now();
    try {
      p.run({ numRuns: runs, seed });
      console.log(`  ok    ${p.name.padEnd(34)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s`);
    } catch (e) {
      failed = true;
      console.log(`  FAIL  ${p.name}`);
      console.error(e instanceof Error ? e.message : String(e));
    }
  }
}
for (const group of groups) {
  for (const [name, tally] of group.tallies) {
    console.log(`\n${name}: ${tally.total} inputs, slowest ${tally.maxMs.toFixed(1)} ms`);
    for (const line of tally.lines()) console.log(`  ${line}`);
  }
}
console.log(`\nelapsed ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (failed) {
  console.error(`\nFAILED: contract violation (replay with --seed ${seed})`);
  process.exit(1);
}
