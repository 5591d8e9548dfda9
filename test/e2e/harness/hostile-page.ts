/**
 * The hostile peer page (test/e2e/hostile/, served as /e2e/hostile.html) in its own browser
 * context, with camera+microphone granted like a viewer so Chromium gathers loopback candidates.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { AttackName, HostileReport } from '../hostile/hostile-report.js';

/** The bundle `npm run build:web` writes for the hostile page. */
export const HOSTILE_BUNDLE = join(import.meta.dirname, '..', '..', '..', 'packages', 'web', 'public', 'build', 'hostile.js');

/** How long the page may take to join and define window.__hostileReport. */
const REPORT_HOOK_TIMEOUT_MS = 15_000;

export interface HostileOptions {
  /** Master playlist URL (the page is served from its origin). */
  readonly src: string;
  readonly tracker: string;
  readonly attack: AttackName;
  readonly onConsole?: (line: string) => void;
}

export interface HostileHandle {
  readonly page: Page;
  readonly context: BrowserContext;
  report(): Promise<HostileReport>;
  /** Closes the page and its context; idempotent. */
  close(): Promise<void>;
}

export function assertHostileBuilt(): void {
  if (!existsSync(HOSTILE_BUNDLE)) throw new Error(`e2e: hostile bundle ${HOSTILE_BUNDLE} is missing: run npm run build:web first`);
}

export async function openHostile(browser: Browser, options: HostileOptions): Promise<HostileHandle> {
  assertHostileBuilt();
  const url = new URL('/e2e/hostile.html', options.src);
  url.searchParams.set('src', options.src);
  url.searchParams.set('tracker', options.tracker);
  url.searchParams.set('attack', options.attack);
  const context = await browser.newContext();
  try {
    await context.grantPermissions(['camera', 'microphone'], { origin: url.origin });
    const page = await context.newPage();
    const log = options.onConsole;
    if (log) {
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') log(`[hostile ${message.type()}] ${message.text()}`);
      });
      page.on('pageerror', (error) => { log(`[hostile pageerror] ${error.message}`); });
    }
    await page.goto(url.href, { waitUntil: 'load' });
    try {
      await page.waitForFunction(() => typeof window.__hostileReport === 'function', undefined, { timeout: REPORT_HOOK_TIMEOUT_MS });
    } catch (error) {
      const shown = await page.locator('#error').textContent().catch(() => null);
      throw new Error(`hostile page ${url.href} did not start${shown ? `: ${shown}` : ''}`, { cause: error });
    }
    let closed: Promise<void> | null = null;
    return {
      page,
      context,
      report: () =>
        page.evaluate(() => {
          const report = window.__hostileReport;
          if (!report) throw new Error('hostile page: window.__hostileReport is not defined');
          return report();
        }),
      close(): Promise<void> {
        closed ??= context.close();
        return closed;
      },
    };
  } catch (error) {
    await context.close();
    throw error;
  }
}
