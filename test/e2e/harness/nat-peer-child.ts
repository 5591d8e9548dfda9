/**
 * One viewer-like Node peer for the NAT lab, run inside a host's namespace (nsenter) by nat-peers.ts.
 * argv[2]: NatPeerOptions as JSON. It follows the live stream with a player's delay, so segments come
 * from peers when they can and over HTTP when not, and writes a NatPeerReport as one JSON line on
 * stdout every REPORT_INTERVAL_MS and once more after stdin closes (then it stops and exits).
 */
import { EdgePeer, startFreezeWatchdog, type NodeIceServer } from '@swarmcast/node';

import type { NatPeerOptions, NatPeerReport } from './nat-peer-report.js';

const REPORT_INTERVAL_MS = 1_000;
/** As `swarmcast edge` does (10 s there): a frozen peer is ended, and nat-peers.ts starts it again. */
const FREEZE_EXIT_MS = 5_000;

const options = JSON.parse(process.argv[2] ?? '{}') as NatPeerOptions;
const iceServers: NodeIceServer[] = options.stunUrl === undefined ? [] : [{ urls: [options.stunUrl] }];
const peer = new EdgePeer({
  streamUrl: options.streamUrl,
  trackerUrl: options.trackerUrl,
  segmentDelayMs: options.segmentDelayMs,
  // A viewer's upload, not an edge peer's: the designated HTTP fetchers rotate among equals.
  uploadKbps: 20_000,
  maxPeers: options.maxPeers,
  initialSegments: 1,
  rtc: { iceServers },
  engine: { minPeers: options.maxPeers, connectTimeoutMs: options.connectTimeoutMs, peerRefillIntervalMs: options.peerRefillIntervalMs },
});
const counts = { http: 0, p2p: 0, late: 0, failed: 0 };
const errors: string[] = [];
peer.on('segment', (e) => {
  counts[e.source] += 1;
  if (e.late) counts.late += 1;
});
peer.on('error', (e) => {
  const message = e.error instanceof Error ? e.error.message : String(e.error);
  if (message.startsWith('segment ')) counts.failed += 1;
  if (errors.length < 20) errors.push(message);
});

function report(): void {
  const s = peer.stats().engine;
  const line: NatPeerReport = {
    peerId: peer.peerId ?? null,
    segments: { ...counts },
    httpBytes: s.httpBytes,
    p2pBytes: s.p2pBytes,
    uploadedBytes: s.uploadedBytes,
    connections: peer.connections(),
    links: { interruptions: s.linkInterruptions, restarts: s.linkRestarts },
    integrity: { segmentsVerified: s.segmentsVerified, integrityFailures: s.integrityFailures, peerViolations: s.peerViolations },
    errors,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const watchdog = startFreezeWatchdog({ freezeMs: FREEZE_EXIT_MS, label: 'nat-peer' });
peer.start();
const timer = setInterval(report, REPORT_INTERVAL_MS);
process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(timer);
  report();
  void peer.close().then(() => {
    watchdog.stop();
    process.exit(0);
  });
});
