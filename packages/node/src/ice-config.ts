/**
 * STUN/TURN server lists in node-datachannel's shape. The RTCIceServer-style entries (configured and
 * from the tracker) are merged by the browser connector's rule, then each URL becomes one
 * node-datachannel IceServer (hostname, port, credentials, relay type).
 */
import type { IceServer as NdcIceServer } from 'node-datachannel';

/** An RTCIceServer with `urls` always a list (the tracker's shape). */
export interface NodeIceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

const ICE_URL = /^(stun|turn|turns):(\[[0-9a-fA-F:.]+\]|[^:?\s[\]]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i;

/**
 * The node-datachannel entry of one ICE URL, or an Error saying why it cannot be used
 * (stuns: is not supported by libdatachannel; TURN needs credentials).
 */
export function toNdcIceServer(url: string, username?: string, credential?: string): NdcIceServer | Error {
  const match = ICE_URL.exec(url);
  if (!match) return new Error(`unsupported ICE server URL "${url}" (stun:, turn: or turns: host[:port][?transport=udp|tcp])`);
  const scheme = (match[1] ?? '').toLowerCase();
  const hostname = (match[2] ?? '').replace(/^\[|\]$/g, '');
  const port = match[3] === undefined ? (scheme === 'turns' ? 5349 : 3478) : Number(match[3]);
  if (port < 1 || port > 65535) return new Error(`ICE server URL "${url}": port out of range`);
  if (scheme === 'stun') return { hostname, port };
  if (username === undefined || credential === undefined) return new Error(`TURN server "${url}" needs a username and a credential`);
  const tcp = (match[4] ?? '').toLowerCase() === 'tcp';
  return { hostname, port, username, password: credential, relayType: scheme === 'turns' ? 'TurnTls' : tcp ? 'TurnTcp' : 'TurnUdp' };
}

/** Every usable entry of `servers`; unusable URLs are skipped (a tracker's list must not break connections). */
export function toNdcIceServers(servers: readonly NodeIceServer[]): NdcIceServer[] {
  const out: NdcIceServer[] = [];
  for (const server of servers) {
    for (const url of server.urls) {
      const converted = toNdcIceServer(url, server.username, server.credential);
      if (!(converted instanceof Error)) out.push(converted);
    }
  }
  return out;
}
