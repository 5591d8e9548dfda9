/**
 * The servers of `npm run bench:formats` and one run of a stream type: the formats origin (always:
 * it also serves the viewer pages), the LL-HLS origin and the DASH fixture's server, each started
 * on first use so a run of other types neither waits on nor pays for them.
 */
import type { Browser } from 'playwright-core';
import { startLlOrigin, type FormatMode, type LlOrigin, type OriginFormats } from '@swarmcast/origin';
import { ensureDashFixture, DASH_MPD_NAME } from '../../test/e2e/harness/dash-fixture.js';
import { hashDashFixture, type DashHashes } from '../../test/e2e/harness/dash-hashes.js';
import { runDash } from '../../test/e2e/harness/dash-run.js';
import { startDashServer, type DashServer } from '../../test/e2e/harness/dash-server.js';
import { runFormat, type FormatRunResult } from '../../test/e2e/harness/formats-run.js';
import { runLl } from '../../test/e2e/harness/ll-run.js';
import type { Origin } from '../../test/e2e/harness/stack.js';
import type { BenchType } from './formats-args.js';

interface DashSetup {
  readonly server: DashServer;
  readonly mpdUrl: string;
  readonly hashes: DashHashes;
}

export interface RunSpec {
  readonly browser: Browser;
  readonly type: BenchType;
  readonly mode: FormatMode;
  readonly p2p: boolean;
  readonly viewers: number;
  readonly joinSpreadMs: number;
  readonly playAfterLastJoinMs: number;
  readonly log?: (line: string) => void;
}

/** The catalog stream Shaka Player plays for `shaka-hls`: fMP4, as Shaka's HLS support is at its best. */
const SHAKA_HLS_FORMAT = 'fmp4';

export class FormatsServers {
  private ll: Promise<LlOrigin> | undefined;
  private dash: Promise<DashSetup> | undefined;

  constructor(readonly origin: Origin & { readonly formats: OriginFormats }) {}

  async run(spec: RunSpec): Promise<FormatRunResult> {
    const { browser, p2p, viewers, joinSpreadMs, playAfterLastJoinMs } = spec;
    const common = { browser, p2p, viewers, joinSpreadMs, playAfterLastJoinMs, ...(spec.log === undefined ? {} : { log: spec.log }) };
    switch (spec.type) {
      case 'll-hls':
        return runLl({ ...common, ll: await this.llOrigin(), page: `${this.origin.url}/index.html` });
      case 'dash': {
        const dash = await this.dashSetup();
        return runDash({ ...common, dash: dash.server, mpdUrl: dash.mpdUrl, hashes: dash.hashes, page: `${this.origin.url}/shaka.html` });
      }
      case 'shaka-hls':
        return runFormat({ ...common, origin: this.origin, type: SHAKA_HLS_FORMAT, mode: spec.mode, page: '/shaka.html' });
      default:
        return runFormat({ ...common, origin: this.origin, type: spec.type, mode: spec.mode });
    }
  }

  /** Closes what was started (the formats origin included); idempotent enough for a signal handler. */
  async close(): Promise<void> {
    const closing: Promise<unknown>[] = [this.origin.close()];
    if (this.ll) closing.push(this.ll.then((ll) => ll.close()));
    if (this.dash) closing.push(this.dash.then((d) => d.server.close()));
    await Promise.allSettled(closing);
  }

  private llOrigin(): Promise<LlOrigin> {
    this.ll ??= startLlOrigin();
    return this.ll;
  }

  private dashSetup(): Promise<DashSetup> {
    this.dash ??= (async () => {
      const dir = await ensureDashFixture();
      const server = await startDashServer(dir);
      const mpdUrl = new URL(DASH_MPD_NAME, server.url).href;
      try {
        return { server, mpdUrl, hashes: await hashDashFixture(dir, DASH_MPD_NAME, mpdUrl) };
      } catch (error) {
        await server.close();
        throw error;
      }
    })();
    return this.dash;
  }
}
