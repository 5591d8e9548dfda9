/**
 * Watches a viewer page's WebRTC from the outside: an init script, added before the page loads,
 * subclasses RTCPeerConnection so every connection the library makes is kept, with the configuration
 * it was made with and every local candidate Chromium gathered for it (before any filtering by the
 * library). readRtcProbe() then reads each connection's selected candidate pair through getStats().
 * Nothing here is in the library: the page under test stays the page users get.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface RtcProbeOptions {
  /**
   * Test-only sabotage: make every connection with this iceTransportPolicy whatever the library asked
   * ('all' gathers host candidates under privacy mode, to prove the library's own filter keeps them
   * from the tracker). The probe still records the policy the library asked for.
   */
  readonly overridePolicy?: RTCIceTransportPolicy;
}

/** The init script, as source text (a function would be re-serialized with the bundler's helpers). */
const probeScript = (options: RtcProbeOptions): string => `(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__rtcProbe) return;
  const overridePolicy = ${JSON.stringify(options.overridePolicy ?? null)};
  const probe = { connections: [], configs: [], gathered: [] };
  window.__rtcProbe = probe;
  window.RTCPeerConnection = class extends Native {
    constructor(config, ...rest) {
      super(overridePolicy ? { ...config, iceTransportPolicy: overridePolicy } : config, ...rest);
      const index = probe.connections.length;
      probe.connections.push(this);
      probe.configs.push({
        iceTransportPolicy: (config && config.iceTransportPolicy) || 'all',
        iceServerUrls: ((config && config.iceServers) || []).flatMap((s) => (typeof s.urls === 'string' ? [s.urls] : s.urls)),
        usernames: ((config && config.iceServers) || []).map((s) => s.username || ''),
      });
      this.addEventListener('icecandidate', (e) => {
        if (e.candidate && e.candidate.candidate) probe.gathered.push({ connection: index, candidate: e.candidate.candidate });
      });
    }
  };
})();`;

/** What getStats says about one end of the selected pair. */
export interface ProbedCandidate {
  readonly candidateType: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: string;
  /** For a local relay candidate: the TURN server it came from. */
  readonly url?: string;
  readonly relayProtocol?: string;
}

export interface ProbedConnection {
  readonly connectionState: string;
  readonly iceTransportPolicy: string;
  readonly iceServerUrls: readonly string[];
  /** TURN usernames the connection was configured with ('' for none). */
  readonly usernames: readonly string[];
  /** The transport's selected pair, or null before ICE chose one (or after close). */
  readonly selected: {
    readonly local: ProbedCandidate;
    readonly remote: ProbedCandidate;
    readonly bytesSent: number;
    readonly bytesReceived: number;
  } | null;
}

export interface RtcProbeReport {
  readonly connections: readonly ProbedConnection[];
  /** Every local candidate line Chromium gathered, on any connection. */
  readonly gathered: readonly { readonly connection: number; readonly candidate: string }[];
}

/** The probe for a viewer's context: pass as ViewerOptions.prepare. */
export function rtcProbe(options: RtcProbeOptions = {}): (context: BrowserContext) => Promise<void> {
  return async (context) => {
    await context.addInitScript({ content: probeScript(options) });
  };
}

/** Reads every probed connection's state and selected pair (connections closed by then report no pair). */
export async function readRtcProbe(page: Page): Promise<RtcProbeReport> {
  return await page.evaluate<RtcProbeReport>(`(async () => {
    const probe = window.__rtcProbe;
    if (!probe) throw new Error('rtc probe not installed: pass rtcProbe() as the viewer\\'s prepare');
    const candidate = (s) => s && {
      candidateType: s.candidateType, address: s.address ?? s.ip ?? '', port: s.port, protocol: s.protocol,
      ...(s.url ? { url: s.url } : {}), ...(s.relayProtocol ? { relayProtocol: s.relayProtocol } : {}),
    };
    const connections = [];
    for (let i = 0; i < probe.connections.length; i++) {
      const pc = probe.connections[i];
      let selected = null;
      if (pc.connectionState !== 'closed') {
        const stats = await pc.getStats();
        let pair;
        stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
        if (pair) {
          selected = {
            local: candidate(stats.get(pair.localCandidateId)),
            remote: candidate(stats.get(pair.remoteCandidateId)),
            bytesSent: pair.bytesSent ?? 0,
            bytesReceived: pair.bytesReceived ?? 0,
          };
        }
      }
      connections.push({ connectionState: pc.connectionState, ...probe.configs[i], selected });
    }
    return { connections, gathered: probe.gathered };
  })()`);
}

/** The `typ` of a candidate line. */
export function candidateTypeOf(candidate: string): string | undefined {
  return /\styp\s+(\S+)/.exec(candidate)?.[1];
}
