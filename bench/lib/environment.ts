/**
 * Where a bench:live run happens: on loopback (one Chromium, every viewer a context of it) or, in
 * constrained mode, one Chromium per viewer slot inside that slot's shaped network namespace, with
 * the servers on the bridge address. close() removes all of it, in order: browsers, servers, network.
 */
import { readlinkSync, rmSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../test/e2e/harness/browser.js';
import type { LaunchedBrowser } from '../../test/e2e/harness/browser.js';
import { closeAll } from '../../test/e2e/harness/close-all.js';
import { startStack } from '../../test/e2e/harness/stack.js';
import type { Stack } from '../../test/e2e/harness/stack.js';
import type { BenchArgs } from './args.js';
import { isConstrained } from './args.js';
import { SERVER_ADDRESS, createTestbed } from './netns-testbed.js';
import type { Testbed } from './netns-testbed.js';
import type { BenchBrowsers } from './run.js';

/**
 * On eth0 (a default-route, non-loopback interface) Chromium gathers host candidates without the
 * loopback flags. Host IPs instead of mDNS names: this flag, and also the camera/microphone grant
 * openViewer makes (either alone was enough here); the flag keeps it independent of the grant.
 */
const CONSTRAINED_WEBRTC_FLAGS: readonly string[] = ['--disable-features=WebRtcHideLocalIpsWithMdns'];

export interface BenchEnvironment {
  readonly stack: Stack;
  readonly browsers: BenchBrowsers;
  /** Every distinct browser (one on loopback), e.g. to warm each up. */
  readonly allBrowsers: readonly Browser[];
  readonly chromiumVersion: string;
  readonly testbed: Testbed | null;
  close(): Promise<void>;
  /** Signal handler's part that cannot be interrupted: processes by PID, temp and profile dirs. */
  closeNow(): void;
}

export async function setUpEnvironment(args: BenchArgs): Promise<BenchEnvironment> {
  const launched: LaunchedBrowser[] = [];
  let testbed: Testbed | null = null;
  let stack: Stack | null = null;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await closeAll([...launched.map((b) => () => b.close()), () => stack?.close()]);
      await testbed?.close();
    })();
    return closing;
  };
  const closeNow = (): void => {
    testbed?.closeNow();
    for (const b of launched) rmSync(b.profileDir, { recursive: true, force: true });
  };
  try {
    if (!isConstrained(args)) {
      const browser = await launchBrowser();
      launched.push(browser);
      stack = await startStack({ liveSource: 'loop' });
      const own = readlinkSync('/proc/self/ns/net');
      return {
        stack,
        browsers: { browserFor: () => browser.browser, nsIds: [own], slots: null },
        allBrowsers: [browser.browser],
        chromiumVersion: browser.version,
        testbed,
        close,
        closeNow,
      };
    }
    const bed = await createTestbed(args.viewers, { uploadKbps: args.uploadKbps, rttMs: args.rttMs });
    testbed = bed;
    stack = await startStack({ liveSource: 'loop', host: SERVER_ADDRESS });
    // The page's origin is http://10.77.0.1:port: not a secure context for Chromium (no WebCrypto
    // subtle, no media permission) unless told to treat it as one.
    const secure = `--unsafely-treat-insecure-origin-as-secure=${new URL(stack.origin.liveMasterUrl).origin}`;
    for (const slot of bed.slots) launched.push(await launchBrowser([secure], { executablePath: slot.chromiumWrapper, webrtcFlags: CONSTRAINED_WEBRTC_FLAGS }));
    const browsers = launched.map((l) => l.browser);
    return {
      stack,
      browsers: {
        browserFor: (i) => {
          const b = browsers[i];
          if (!b) throw new Error(`no browser for viewer slot ${String(i)}`);
          return b;
        },
        nsIds: bed.slots.map((s) => s.nsId),
        slots: bed.slots,
      },
      allBrowsers: browsers,
      chromiumVersion: launched[0]?.version ?? 'unknown',
      testbed: bed,
      close,
      closeNow,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
