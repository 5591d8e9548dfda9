/**
 * A Chromium viewer in a NAT lab host: the system Chromium started inside the host's network
 * namespace (a wrapper script around nsenter is Playwright's executablePath), playing the viewer page
 * from the public side's origin with the tracker there, its connections watched by rtc-peer-probe.ts.
 * Its only interface besides lo is the host's eth0 (private behind a NAT), so Chromium gathers a host
 * candidate on it, srflx from the STUN server and relay from TURN (the tracker's iceServers).
 * stop() reads the page's report in the Node peer's shape (NatPeerReport) and closes it all.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ViewerReport } from '@swarmcast/web';
import { CHROMIUM_PATH, launchBrowser, type LaunchedBrowser } from './browser.js';
import type { LabHost, NatLab } from './nat-lab.js';
import type { NatPeerReport } from './nat-peer-report.js';
import type { NatPeer } from './nat-peers.js';
import { candidateTypeOf } from './rtc-probe.js';
import { readRtcPeerProbe, rtcPeerProbe, toLinkInfo, type RtcPeerProbeReport } from './rtc-peer-probe.js';
import { openViewer, type ViewerHandle } from './viewer.js';

/**
 * On eth0 (the default route's interface) Chromium gathers host candidates without the loopback
 * flags; host IPs instead of mDNS names with this flag (and the camera/microphone grant openViewer makes).
 */
const NAT_WEBRTC_FLAGS: readonly string[] = ['--disable-features=WebRtcHideLocalIpsWithMdns'];
/** Reading the page's report at stop may take this long before the viewer counts as unresponsive. */
const REPORT_TIMEOUT_MS = 10_000;
const MAX_ERRORS = 20;

export interface NatChromiumOptions {
  readonly streamUrl: string;
  readonly trackerUrl: string;
  /** A stun: URL added to every connection (as a page configured with it); TURN comes from the tracker. */
  readonly stunUrl: string;
}

/** Launches Chromium in `host`'s namespace and opens the viewer; the returned NatPeer stops it all. */
export async function startNatChromium(lab: NatLab, host: LabHost, options: NatChromiumOptions): Promise<NatPeer> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmcast-nat-chromium-'));
  let launched: LaunchedBrowser | undefined;
  let viewer: ViewerHandle | undefined;
  const errors: string[] = [];
  const note = (line: string): void => { if (errors.length < MAX_ERRORS) errors.push(line); };
  const closeAll = async (): Promise<void> => {
    await viewer?.close().catch(() => undefined);
    await launched?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const wrapper = join(dir, 'chromium.sh');
    const argv = lab.command(host, [CHROMIUM_PATH]).map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    await writeFile(wrapper, `#!/bin/sh\nexec ${argv} "$@"\n`);
    await chmod(wrapper, 0o755);
    // The page's origin is http://<public address>:port: a secure context (WebCrypto, media permission) only if told so.
    const secure = `--unsafely-treat-insecure-origin-as-secure=${new URL(options.streamUrl).origin}`;
    launched = await launchBrowser([secure], { executablePath: wrapper, webrtcFlags: NAT_WEBRTC_FLAGS });
    viewer = await openViewer(launched.browser, {
      src: options.streamUrl,
      tracker: options.trackerUrl,
      p2p: true,
      prepare: rtcPeerProbe({ extraIceServers: [{ urls: options.stunUrl }] }),
      onConsole: note,
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const page = viewer.page;
  let latest: NatPeerReport | undefined;
  let stopped: Promise<NatPeerReport | undefined> | undefined;
  return {
    host,
    latest: () => latest,
    // A browser tab has no libdatachannel to freeze in: never restarted.
    restarts: () => 0,
    stderr: () => errors.join('\n'),
    stop: () => {
      stopped ??= (async () => {
        const timer = new AbortController();
        try {
          const read = Promise.all([viewer.report(), readRtcPeerProbe(page)]);
          const timeout = delay(REPORT_TIMEOUT_MS, undefined, { signal: timer.signal }).then(() => { throw new Error(`no report within ${String(REPORT_TIMEOUT_MS)} ms`); });
          const [report, probe] = await Promise.race([read, timeout]);
          latest = toNatPeerReport(report, probe, errors);
        } catch (error) {
          note(`reading the report failed: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          // The race has a handler on the timeout: aborting it (a rejection) is not unhandled.
          timer.abort();
          await closeAll();
        }
        return latest;
      })();
      return stopped;
    },
  };
}

/** The page's ViewerReport and probe in the Node peer's terms. */
export function toNatPeerReport(report: ViewerReport, probe: RtcPeerProbeReport, errors: readonly string[]): NatPeerReport {
  const named = probe.connections.flatMap((c) => (c.remotePeerId === null ? [] : [toLinkInfo({ ...c, remotePeerId: c.remotePeerId })]));
  const gatheredCandidates: Record<string, number> = {};
  const addresses = new Map<string, Set<string>>();
  for (const g of probe.gathered) {
    const type = candidateTypeOf(g.candidate) ?? 'unknown';
    gatheredCandidates[type] = (gatheredCandidates[type] ?? 0) + 1;
    // candidate:<foundation> <component> <protocol> <priority> <address> <port> typ <type> ...
    const address = g.candidate.split(/\s+/)[4];
    if (address !== undefined) addresses.set(type, (addresses.get(type) ?? new Set()).add(address));
  }
  const candidateAddresses = Object.fromEntries([...addresses].map(([type, set]) => [type, [...set].sort()]));
  return {
    peerId: report.peerId,
    segments: {
      http: report.segments.filter((s) => s.source === 'http').length,
      p2p: report.segments.filter((s) => s.source === 'p2p').length,
      late: report.stalls,
      failed: report.hlsFatalErrors.length,
    },
    httpBytes: report.httpBytes,
    p2pBytes: report.p2pBytes,
    uploadedBytes: report.uploadedBytes,
    connections: named,
    links: { interruptions: report.links.interruptions, restarts: report.links.restarts },
    integrity: {
      segmentsVerified: report.integrity.segmentsVerified,
      integrityFailures: report.integrity.integrityFailures,
      peerViolations: report.integrity.peerViolations,
    },
    player: {
      startupMs: report.startupMs,
      stalls: report.stalls,
      stalledMs: report.stalledMs,
      hlsFatalErrors: report.hlsFatalErrors,
      unnamedConnections: probe.connections.length - named.length,
      gatheredCandidates,
      candidateAddresses,
    },
    errors: [...errors, ...report.hlsFatalErrors],
  };
}
