/**
 * Launches the system Chromium headless with every flag set by hand (Playwright's own list is
 * dropped: Chromium keeps one value per switch, so its --disable-features would hide ours), tuned
 * for WebRTC on loopback inside a loopback-only network namespace (see MACHINE-NOTES).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** The browser the tests drive; never downloaded. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for WebRTC between pages of one machine over 127.0.0.1 (the order does not matter). */
export const LOOPBACK_WEBRTC_FLAGS: readonly string[] = [
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** Headless, quiet, and no throttling of background pages (every viewer is one). */
export const BASE_FLAGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-default-apps',
  '--disable-dev-shm-usage',
  '--disable-breakpad',
  '--disable-field-trial-config',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-ipc-flooding-protection',
  '--disable-hang-monitor',
  '--password-store=basic',
  '--use-mock-keychain',
  '--mute-audio',
  '--autoplay-policy=no-user-gesture-required',
];

export interface LaunchedBrowser {
  readonly browser: Browser;
  /** The Chromium version string, e.g. "156.0.8078.114". */
  readonly version: string;
  /** The browser's fresh profile directory (removed by close()). */
  readonly profileDir: string;
  /** Closes the browser and removes its profile directory; idempotent. */
  close(): Promise<void>;
}

/** Throws a clear error when the system Chromium is not installed. */
export function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`e2e: ${CHROMIUM_PATH} not found. Install it with: apt-get install -y chromium (the tests never download a browser)`);
  }
}

export interface LaunchOptions {
  /** Run this instead of CHROMIUM_PATH, with the same arguments (e.g. a wrapper that enters a network namespace). */
  readonly executablePath?: string;
  /** WebRTC flags instead of LOOPBACK_WEBRTC_FLAGS (e.g. on a non-loopback interface fewer are needed). */
  readonly webrtcFlags?: readonly string[];
}

export async function launchBrowser(extraArgs: readonly string[] = [], options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  assertChromiumInstalled();
  const profileDir = await mkdtemp(join(tmpdir(), 'swarmcast-chromium-'));
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: options.executablePath ?? CHROMIUM_PATH,
      ignoreDefaultArgs: true,
      args: [...BASE_FLAGS, ...(options.webrtcFlags ?? LOOPBACK_WEBRTC_FLAGS), ...extraArgs, '--remote-debugging-pipe', `--user-data-dir=${profileDir}`, '--no-startup-window'],
    });
  } catch (error) {
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    browser,
    version: browser.version(),
    profileDir,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        await browser.close();
      } finally {
        await rm(profileDir, { recursive: true, force: true });
      }
    },
  };
}
