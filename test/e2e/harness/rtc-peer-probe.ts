/**
 * Which peer each of a viewer page's WebRTC connections goes to, over which ICE path, with how many
 * bytes: for the NAT lab, which asserts the path of every pair of peers. An init script (added
 * before the page loads, like rtc-probe.ts) keeps every RTCPeerConnection the library makes, learns
 * its remote peer's tracker id from the signaling the page sends and receives (the ICE ufrag of each
 * relayed description), and samples getStats() every second, so a connection that closed keeps its
 * last selected pair and byte counts. It can also add ICE servers to every connection (a page
 * configured with a STUN server). Nothing here is in the library: the page under test stays the page
 * users get.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { RtcLinkInfo } from '@swarmcast/node';

export interface RtcPeerProbeOptions {
  /** Added to every connection's iceServers (e.g. a STUN server the page would be configured with). */
  readonly extraIceServers?: readonly RTCIceServer[];
}

/** How often the page samples each live connection's stats. */
const SAMPLE_INTERVAL_MS = 1_000;

/** The init script, as source text (a function would be re-serialized with the bundler's helpers). */
const probeScript = (options: RtcPeerProbeOptions): string => `(() => {
  const NativePc = window.RTCPeerConnection;
  const NativeWs = window.WebSocket;
  if (!NativePc || window.__rtcPeerProbe) return;
  const extraIceServers = ${JSON.stringify(options.extraIceServers ?? [])};
  // ICE ufrag of a description this page sent -> to whom; of one it received -> from whom.
  const sentUfrags = new Map();
  const receivedUfrags = new Map();
  const ufragOf = (sdp) => (/a=ice-ufrag:(\\S+)/.exec(sdp || '') || [])[1];
  const noteSignal = (text, map, key) => {
    if (typeof text !== 'string' || text.length > 200000) return;
    let m;
    try { m = JSON.parse(text); } catch { return; }
    if (!m || m.type !== 'signal' || !m.data || m.data.kind !== 'description') return;
    const ufrag = ufragOf(m.data.sdp);
    if (ufrag && typeof m[key] === 'string') map.set(ufrag, m[key]);
  };
  window.WebSocket = class extends NativeWs {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => { noteSignal(e.data, receivedUfrags, 'from'); });
    }
    send(data) {
      noteSignal(data, sentUfrags, 'to');
      return super.send(data);
    }
  };
  const probe = { records: [], gathered: [] };
  window.__rtcPeerProbe = probe;
  const remotePeerOf = (pc) => {
    const local = ufragOf(pc.localDescription && pc.localDescription.sdp);
    const remote = ufragOf(pc.remoteDescription && pc.remoteDescription.sdp);
    return (local && sentUfrags.get(local)) || (remote && receivedUfrags.get(remote)) || null;
  };
  const candidate = (s) => s ? { candidateType: s.candidateType, address: s.address || s.ip || '', port: s.port } : null;
  const sample = async (record) => {
    const pc = record.pc;
    record.remotePeerId = record.remotePeerId || remotePeerOf(pc);
    record.connectionState = pc.connectionState;
    if (pc.connectionState === 'closed') return;
    const stats = await pc.getStats();
    let pair;
    stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
    if (!pair) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
    if (pair) {
      record.local = candidate(stats.get(pair.localCandidateId));
      record.remote = candidate(stats.get(pair.remoteCandidateId));
      record.pairBytesSent = pair.bytesSent || 0;
      record.pairBytesReceived = pair.bytesReceived || 0;
    }
    let sent = 0;
    let received = 0;
    stats.forEach((s) => { if (s.type === 'data-channel') { sent += s.bytesSent || 0; received += s.bytesReceived || 0; } });
    record.dataBytesSent = Math.max(record.dataBytesSent, sent);
    record.dataBytesReceived = Math.max(record.dataBytesReceived, received);
  };
  probe.sampleAll = () => Promise.all(probe.records.map((r) => sample(r).catch(() => undefined)));
  setInterval(() => { void probe.sampleAll(); }, ${String(SAMPLE_INTERVAL_MS)});
  window.RTCPeerConnection = class extends NativePc {
    constructor(config, ...rest) {
      const iceServers = [...((config && config.iceServers) || []), ...extraIceServers];
      super({ ...(config || {}), iceServers }, ...rest);
      const index = probe.records.length;
      probe.records.push({
        pc: this, remotePeerId: null, connectionState: 'new', local: null, remote: null,
        pairBytesSent: 0, pairBytesReceived: 0, dataBytesSent: 0, dataBytesReceived: 0,
      });
      this.addEventListener('icecandidate', (e) => {
        if (e.candidate && e.candidate.candidate && probe.gathered.length < 500) probe.gathered.push({ connection: index, candidate: e.candidate.candidate });
      });
      // The last state before close: sample on every change, so the figures outlive the connection.
      this.addEventListener('connectionstatechange', () => { void sample(probe.records[index]).catch(() => undefined); });
    }
  };
})();`;

/** One end of a selected candidate pair. */
export interface ProbedEnd {
  /** host, srflx, prflx or relay. */
  readonly candidateType: string;
  readonly address: string;
  readonly port: number;
}

/** One RTCPeerConnection of the page, as last sampled. */
export interface ProbedPeerConnection {
  /** The remote's tracker id (null when no relayed description names it: never signaled). */
  readonly remotePeerId: string | null;
  readonly connectionState: string;
  /** The selected candidate pair's ends, as last seen (null if ICE never selected one). */
  readonly local: ProbedEnd | null;
  readonly remote: ProbedEnd | null;
  /** Bytes on the selected pair (ICE level: DTLS records, SCTP framing included). */
  readonly pairBytesSent: number;
  readonly pairBytesReceived: number;
  /** DataChannel payload bytes. */
  readonly dataBytesSent: number;
  readonly dataBytesReceived: number;
}

export interface RtcPeerProbeReport {
  readonly connections: readonly ProbedPeerConnection[];
  /** Local candidate lines Chromium gathered (the first 500), for a failure's diagnosis. */
  readonly gathered: readonly { readonly connection: number; readonly candidate: string }[];
}

/** The probe for a viewer's context: pass as ViewerOptions.prepare. */
export function rtcPeerProbe(options: RtcPeerProbeOptions = {}): (context: BrowserContext) => Promise<void> {
  return async (context) => {
    await context.addInitScript({ content: probeScript(options) });
  };
}

/** Samples every connection once more and returns all of them (closed ones with their last sample). */
export async function readRtcPeerProbe(page: Page): Promise<RtcPeerProbeReport> {
  return await page.evaluate<RtcPeerProbeReport>(`(async () => {
    const probe = window.__rtcPeerProbe;
    if (!probe) throw new Error('rtc peer probe not installed: pass rtcPeerProbe() as the viewer\\'s prepare');
    await probe.sampleAll();
    const connections = probe.records.map(({ pc, ...record }) => ({ ...record }));
    return { connections, gathered: probe.gathered };
  })()`);
}

/** A probed connection in the Node peer's terms (RtcLinkInfo), for tables that mix both kinds. */
export function toLinkInfo(c: ProbedPeerConnection & { readonly remotePeerId: string }): RtcLinkInfo {
  const state = c.connectionState === 'connected' ? 'open' : c.connectionState === 'closed' || c.connectionState === 'failed' ? 'closed' : 'connecting';
  const path = c.local === null || c.remote === null ? undefined : c.local.candidateType === 'relay' || c.remote.candidateType === 'relay' ? 'relay' : 'direct';
  return {
    remotePeerId: c.remotePeerId,
    state,
    localCandidateType: c.local?.candidateType,
    remoteCandidateType: c.remote?.candidateType,
    path,
    sentBytes: c.dataBytesSent,
    receivedBytes: c.dataBytesReceived,
    openAfterMs: undefined,
    closeReason: undefined,
  };
}
