/**
 * Loads the media segments a Swarmcast instance claimed, through the P2P engine (which falls back
 * to HTTP itself), and answers Shaka in its scheme-plugin terms: an abortable operation that
 * resolves to a Response or rejects with a shaka.util.Error.
 */
import type { Engine } from '@swarmcast/core';
import { LoadDeadlines } from './load-deadlines.js';
import type { SegmentRequestOwner } from './scheme-plugin.js';
import type { SegmentIdentity } from './segment-map.js';
import { shaka } from './shaka-lib.js';
import type { ShakaError, ShakaOperation, ShakaProgressUpdated, ShakaRequest, ShakaRequestType, ShakaResponse } from './shaka-lib.js';

/** What the loader needs from its Swarmcast instance. */
export interface SegmentLoaderHost {
  engine(): Engine | undefined;
  media(): HTMLMediaElement | null;
  now(): number;
  /** A media segment went to Shaka, `loadMs` after Shaka asked. */
  segmentDelivered(rendition: string, sn: number, source: 'http' | 'p2p', bytes: Uint8Array, loadMs: number): void;
}

interface Claim {
  readonly identity: SegmentIdentity;
  /** Where the segment starts on the presentation timeline (the media element's clock). */
  readonly startSec: number;
}

export class SegmentLoader implements SegmentRequestOwner {
  /** Claimed requests, by Shaka's request object (the same object reaches the plugin). */
  private readonly claims = new WeakMap<ShakaRequest, Claim>();
  /** The loads in flight, whose deadlines move earlier on a seek or a buffer flush. */
  private readonly deadlines: LoadDeadlines;

  constructor(private readonly host: SegmentLoaderHost) {
    this.deadlines = new LoadDeadlines({
      expedite: (ref, deadlineMs) => { host.engine()?.expedite(ref, deadlineMs); },
      media: () => host.media(),
      now: () => host.now(),
    });
  }

  /** Stops watching the deadlines of the loads in flight (their engine is going away). */
  stopWatching(): void {
    this.deadlines.destroy();
  }

  /** Called from the request filter before the request is claimed. */
  remember(request: ShakaRequest, identity: SegmentIdentity, startSec: number): void {
    this.claims.set(request, { identity, startSec });
  }

  load(uri: string, request: ShakaRequest, type: ShakaRequestType, progress: ShakaProgressUpdated): ShakaOperation<ShakaResponse> | undefined {
    const claim = this.claims.get(request);
    const engine = this.host.engine();
    if (claim === undefined || engine === undefined) return undefined;
    const { host } = this;
    const { rendition, sn } = claim.identity;
    const controller = new AbortController();
    const startedMs = host.now();
    const deadlineMs = this.deadlines.deadlineMs(claim.startSec);
    const untrack = this.deadlines.track({ rendition, sn }, claim.startSec);
    const aborted = (): ShakaError =>
      new shaka.util.Error(shaka.util.Error.Severity.RECOVERABLE, shaka.util.Error.Category.NETWORK, shaka.util.Error.Code.OPERATION_ABORTED, uri, type);
    const promise = engine.loadSegment({ ref: { rendition, sn }, url: uri, deadlineMs, signal: controller.signal }).then(
      (loaded): ShakaResponse => {
        untrack();
        if (controller.signal.aborted) throw aborted();
        // Shaka may keep or transfer the buffer: hand it a copy, never the engine's stored bytes.
        const copy = loaded.bytes.slice();
        const timeMs = host.now() - startedMs;
        progress(timeMs, copy.byteLength, 0);
        host.segmentDelivered(rendition, sn, loaded.source, copy.slice(), timeMs);
        return { uri, originalUri: uri, data: copy.buffer, headers: {}, originalRequest: request, status: 200, fromCache: loaded.fromStore, timeMs };
      },
      (error: unknown) => {
        untrack();
        if (controller.signal.aborted) throw aborted();
        throw new shaka.util.Error(shaka.util.Error.Severity.RECOVERABLE, shaka.util.Error.Category.NETWORK, shaka.util.Error.Code.HTTP_ERROR, uri, error, type);
      },
    );
    return new shaka.util.AbortableOperation(promise, () => {
      untrack();
      controller.abort();
      return promise.then(() => undefined, () => undefined);
    });
  }
}
