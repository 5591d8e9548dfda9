/**
 * One networking scheme plugin for http and https, shared by every Shaka player of the page
 * (Shaka's scheme registry is global). A Swarmcast instance claims the media segment requests of
 * its own player (from a request filter, which sees the request context); the plugin hands a
 * claimed request to its owner and everything else (manifests, init segments, keys, licenses,
 * players without Swarmcast) to Shaka's own HTTP plugin.
 */
import { shaka } from './shaka-lib.js';
import type { ShakaOperation, ShakaProgressUpdated, ShakaRequest, ShakaRequestType, ShakaResponse, ShakaSchemePlugin } from './shaka-lib.js';

/** What a claimed request is handed to. */
export interface SegmentRequestOwner {
  /** Loads the segment (P2P with HTTP fallback), or returns undefined to let Shaka's HTTP plugin do it. */
  load(uri: string, request: ShakaRequest, type: ShakaRequestType, progress: ShakaProgressUpdated): ShakaOperation<ShakaResponse> | undefined;
}

/** Requests claimed by a Swarmcast instance. Weak: Shaka drops requests, the claims go with them. */
const owners = new WeakMap<ShakaRequest, SegmentRequestOwner>();
let installed = false;

/** Marks `request` (the object Shaka passes to filters and then to the scheme plugin) as owner's. */
export function claimRequest(request: ShakaRequest, owner: SegmentRequestOwner): void {
  owners.set(request, owner);
}

/** Undoes claimRequest (e.g. for a retry the owner leaves to HTTP). */
export function releaseRequest(request: ShakaRequest): void {
  owners.delete(request);
}

const httpPlugin: ShakaSchemePlugin = (uri, request, type, progress, headers, config) => {
  // Shaka types its plugins' operations as <any>; they resolve to a Response.
  const operation = shaka.net.HttpFetchPlugin.isSupported()
    ? shaka.net.HttpFetchPlugin.parse(uri, request, type, progress, headers, config)
    : shaka.net.HttpXHRPlugin.parse(uri, request, type, progress, headers, config);
  return operation as ShakaOperation<ShakaResponse>;
};

const swarmcastPlugin: ShakaSchemePlugin = (uri, request, type, progress, headers, config) => {
  const operation = owners.get(request)?.load(uri, request, type, progress);
  return operation ?? httpPlugin(uri, request, type, progress, headers, config);
};

/**
 * Registers the plugin for http and https above Shaka's own (APPLICATION priority), once per page.
 * It stays registered: without a claim it is Shaka's HTTP plugin.
 */
export function installSchemePlugin(): void {
  if (installed) return;
  installed = true;
  const priority = shaka.net.NetworkingEngine.PluginPriority.APPLICATION;
  // No progressSupport: Shaka's connection timer would abort a P2P load that waits (within its
  // deadline) for a peer; the engine has its own deadline and HTTP fallback, Shaka's HTTP plugin its timeout.
  shaka.net.NetworkingEngine.registerScheme('http', swarmcastPlugin, priority, false);
  shaka.net.NetworkingEngine.registerScheme('https', swarmcastPlugin, priority, false);
}
