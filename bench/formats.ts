/**
 * `npm run bench:formats -- [--json FILE] [--duration S] [--viewers N] [--join-spread S]
 *  [--types a,b] [--modes live,vod] [--no-baseline] [--verbose]`
 *
 * Every stream type of issue #7: the origin's formats catalog (ts-abr, fmp4, byterange, aes128,
 * discontinuity, tokens; live and VOD), LL-HLS (its own origin, live only), DASH with Shaka Player
 * (static fixture, VOD only) and the fMP4 stream with Shaka Player (shaka-hls). N headless Chromium
 * viewers run Swarmcast, then N plain players (hls.js, or Shaka Player) as the baseline, in the
 * same run: did they play, stalls, player errors, bytes from peers, live latency, and segments
 * whose bytes differ from the origin's (must be 0). Writes JSON with one key per type under
 * `types` and prints a summary table. Runs inside a loopback-only network namespace
 * (scripts/in-netns.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { assertChromiumInstalled, launchBrowser } from '../test/e2e/harness/browser.js';
import type { LaunchedBrowser } from '../test/e2e/harness/browser.js';
import { startFormatsOrigin } from '../test/e2e/harness/formats-stack.js';
import { assertViewerBuilt } from '../test/e2e/harness/viewer.js';
import { parseFormatsArgs, typeModes } from './lib/formats-args.js';
import type { FormatsBenchArgs } from './lib/formats-args.js';
import { runFigures, typeFigures } from './lib/formats-figures.js';
import type { FormatRunFigures, FormatTypeFigures } from './lib/formats-figures.js';
import { FormatsServers } from './lib/formats-runs.js';
import { formatsTable } from './lib/formats-table.js';
import { machineInfo } from './lib/machine.js';

let args: FormatsBenchArgs;
try {
  args = parseFormatsArgs(process.argv.slice(2));
  assertChromiumInstalled();
  assertViewerBuilt();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

const log = (line: string): void => { console.error(`[bench] ${line}`); };
const servers = new FormatsServers(await startFormatsOrigin());
let browser: LaunchedBrowser | undefined;
const SIGNAL_CLOSE_TIMEOUT_MS = 5000;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    const closing = Promise.allSettled([browser?.close(), servers.close()]);
    void Promise.race([closing, new Promise((r) => setTimeout(r, SIGNAL_CLOSE_TIMEOUT_MS))]).finally(() => process.exit(130));
  });
}
try {
  browser = await launchBrowser();
  const types: Record<string, FormatTypeFigures> = {};
  for (const type of args.types) {
    const modes: Record<string, FormatRunFigures> = {};
    const baseline: Record<string, FormatRunFigures> = {};
    for (const mode of typeModes(type, args.modes)) {
      for (const p2p of args.baseline ? [true, false] : [true]) {
        log(`${type} ${mode} ${p2p ? 'swarmcast' : 'plain player'}: ${args.viewers} viewers, join over ${args.joinSpreadSec} s, ${args.durationSec} s after the last join`);
        const result = await servers.run({
          browser: browser.browser,
          type,
          mode,
          p2p,
          viewers: args.viewers,
          joinSpreadMs: args.joinSpreadSec * 1000,
          playAfterLastJoinMs: args.durationSec * 1000,
          ...(args.verbose ? { log } : {}),
        });
        const figures = runFigures(result);
        (p2p ? modes : baseline)[mode] = figures;
        log(`  played=${figures.played} stalls=${figures.stalls} hlsErrors=${figures.hlsErrors} [${figures.hlsErrorKinds.join(', ')}] p2pShare=${figures.p2pShare ?? '-'} mismatched=${figures.mismatchedSegments} latency=${figures.liveLatencySecMean ?? '-'}`);
      }
    }
    types[type] = typeFigures(modes, args.baseline ? baseline : null);
  }
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo(browser.version),
    params: { viewers: args.viewers, durationSec: args.durationSec, joinSpreadSec: args.joinSpreadSec, modes: args.modes, baseline: args.baseline },
    types,
  };
  const file = resolve(args.jsonFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatsTable(types));
  console.log(`JSON: ${file}`);
  if (Object.values(types).some((t) => t.mismatchedSegments > 0)) process.exitCode = 1;
} finally {
  await Promise.allSettled([browser?.close(), servers.close()]);
}
