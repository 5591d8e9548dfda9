/** The e2e harness: real headless Chromium viewers against the real origin and tracker. */
export { assertChromiumInstalled, launchBrowser, CHROMIUM_PATH } from './browser.js';
export type { LaunchedBrowser } from './browser.js';
export { closeAll } from './close-all.js';
export { OriginHashes } from './origin-hashes.js';
export type { SegmentCheck, StreamKind } from './origin-hashes.js';
export { every, joinOffsetMs, sleep } from './schedule.js';
export { startStack, WEB_PUBLIC_DIR } from './stack.js';
export type { LiveSource, Origin, Stack, Tracker } from './stack.js';
export { runSwarm } from './swarm-run.js';
export type { SwarmRunOptions } from './swarm-run.js';
export { assertViewerBuilt, openViewer, viewerUrl, VIEWER_BUNDLE } from './viewer.js';
export type { ViewerHandle, ViewerOptions } from './viewer.js';
export { describeStalls } from './stall-report.js';
