/**
 * `npm run bench:hostile -- --viewers N --duration S [--json FILE] [--verbose]`
 *
 * Real-browser benchmark of hostile peers: N honest viewer pages (Swarmcast, integrity required)
 * play the live stream in one swarm; a hostile page (test/e2e/hostile/) then runs each attack in
 * turn, corrupt, wrongSequence, falseHave, flood, for S seconds each (the scenario of
 * test/e2e/hostile-peers.test.ts). Writes `{date, machine, params, attacks, verification, details}`
 * as JSON and prints a summary table. Runs inside a loopback-only network namespace
 * (scripts/in-netns.ts). Exit code 1 when a bad segment was played or an attacker was not cut off.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseHostileBenchArgs } from './lib/hostile-args.js';
import type { HostileBenchArgs } from './lib/hostile-args.js';
import { attackDetails, attackFigures, formatHostileTable, hostileWarnings } from './lib/hostile-result.js';
import type { AttackDetails, AttackFigures } from './lib/hostile-result.js';
import { machineInfo } from './lib/machine.js';
import { warmUp } from './lib/warm-up.js';
import { assertChromiumInstalled, launchBrowser } from '../test/e2e/harness/browser.js';
import { assertHostileBuilt } from '../test/e2e/harness/hostile-page.js';
import { runHostileScenario } from '../test/e2e/harness/hostile-run.js';
import { startStack } from '../test/e2e/harness/stack.js';
import { assertViewerBuilt } from '../test/e2e/harness/viewer.js';
import { ATTACKS } from '../test/e2e/hostile/hostile-report.js';
import type { AttackName } from '../test/e2e/hostile/hostile-report.js';

let args: HostileBenchArgs;
try {
  args = parseHostileBenchArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
assertChromiumInstalled();
assertViewerBuilt();
assertHostileBuilt();

const log = (line: string): void => { console.error(`[bench] ${line}`); };
const launched = await launchBrowser();
const stack = await startStack({ liveSource: 'loop' });
try {
  await warmUp(launched.browser, stack.origin.liveMasterUrl, stack.tracker.url);
  log(`${args.viewers} honest viewers; attacks ${ATTACKS.join(', ')}, ${args.durationSec} s each`);
  const result = await runHostileScenario({
    browser: launched.browser,
    stack,
    viewers: args.viewers,
    attacks: ATTACKS,
    attackMs: () => args.durationSec * 1000,
    log,
    ...(args.verbose ? { pageLog: log } : {}),
  });
  const attacks: Partial<Record<AttackName, AttackFigures>> = {};
  const details: Partial<Record<AttackName, AttackDetails>> = {};
  for (const run of result.runs) {
    attacks[run.attack] = attackFigures(run);
    details[run.attack] = attackDetails(run);
  }
  const warnings = hostileWarnings(result);
  const { msPerSegment, corePercentAt2sSegments } = result.verification;
  const json = {
    date: new Date().toISOString(),
    machine: machineInfo(launched.version),
    params: { viewers: args.viewers, durationSec: args.durationSec, attacks: ATTACKS },
    attacks,
    verification: { msPerSegment, corePercentAt2sSegments },
    details: {
      ...details,
      verification: result.verification,
      wholeRun: {
        segmentsVerified: result.check.verified,
        segmentsVerifiedP2p: result.check.verifiedP2p,
        mismatches: result.check.mismatches.length,
        unchecked: result.check.unavailable.length,
      },
      warnings,
    },
  };
  const file = resolve(args.jsonFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(formatHostileTable(attacks, details, args.viewers));
  const v = result.verification;
  console.log(
    `\nverification per segment from a peer: ${v.msPerSegment?.toFixed(3) ?? '–'} ms ` +
      `(SHA-256 ${v.hashMsPerSegment?.toFixed(3) ?? '–'} ms + Ed25519 ${v.signatureMsPerRecord?.toFixed(3) ?? '–'} ms), ` +
      `${v.corePercentAt2sSegments?.toFixed(3) ?? '–'} % of one core at 2 s segments (wall time around the awaited WebCrypto calls: an upper bound)`,
  );
  console.log(`segments checked against the origin over the whole run: ${result.check.verified} ok (${result.check.verifiedP2p} from peers), ` +
    `${result.check.mismatches.length} mismatched, ${result.check.unavailable.length} unchecked`);
  for (const warning of warnings) console.log(`WARNING ${warning}`);
  console.log(`JSON: ${file}`);
  if (warnings.length > 0) process.exitCode = 1;
} finally {
  await Promise.allSettled([launched.close(), stack.close()]);
}
