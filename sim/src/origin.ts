/**
 * The origin/CDN: serves every published segment (Range included) after a time to first byte drawn
 * per request, at the CDN's per-response rate through the viewer's downlink; counts what it sent
 * (an aborted response counts the share of its body sent before the abort).
 */
import type { HttpPort, HttpRequest, HttpResponse, RandomPort } from '@swarmcast/core';
import type { Host } from './host.ts';
import type { LiveStream } from './live-stream.ts';
import type { Scheduler } from './scheduler.ts';

export interface OriginOptions {
  readonly scheduler: Scheduler;
  readonly stream: LiveStream;
  readonly random: RandomPort;
  readonly ttfbMinMs: number;
  readonly ttfbMaxMs: number;
  /** Full-scale bytes/s of one response. */
  readonly cdnBytesPerSec: number;
  readonly byteScale: number;
}

export class SimOrigin {
  /** Segment body bytes sent, at full scale. */
  egressBytes = 0;
  requests = 0;
  rangeRequests = 0;
  aborted = 0;
  failed = 0;
  /** Segments asked for at least once. */
  readonly requestedSns = new Set<number>();

  constructor(private readonly options: OriginOptions) {}

  portFor(host: Host): HttpPort {
    return { fetch: (request, signal) => this.fetch(host, request, signal) };
  }

  private fetch(host: Host, request: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    const { scheduler, stream, random, byteScale } = this.options;
    const ttfbMs = this.options.ttfbMinMs + random.random() * (this.options.ttfbMaxMs - this.options.ttfbMinMs);
    const sn = stream.snOfUrl(request.url);
    const body = stream.body;
    const start = request.range?.startBytes ?? 0;
    const end = Math.min(request.range?.endBytes ?? body.length, body.length);
    const published = Number.isInteger(sn) && scheduler.now() >= stream.publishAtMs(sn);
    this.requests += 1;
    if (request.range) this.rangeRequests += 1;
    return new Promise<HttpResponse>((resolve, reject) => {
      if (signal.aborted) {
        reject(new Error('aborted'));
        return;
      }
      let bodyStartMs: number | undefined;
      let bodyEndMs = 0;
      const wireBytes = Math.max(0, end - start) * byteScale;
      const onAbort = (): void => {
        scheduler.clearTimeout(timer);
        this.aborted += 1;
        if (bodyStartMs !== undefined) {
          const now = scheduler.now();
          this.egressBytes += wireBytes * Math.min(1, (now - bodyStartMs) / Math.max(1e-9, bodyEndMs - bodyStartMs));
        }
        reject(new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let timer = scheduler.setTimeout(() => {
        if (!published || start >= end) {
          signal.removeEventListener('abort', onAbort);
          this.failed += 1;
          reject(new Error(`HTTP ${published ? 416 : 404} for ${request.url}`));
          return;
        }
        this.requestedSns.add(sn);
        const now = scheduler.now();
        bodyStartMs = now;
        bodyEndMs = host.receive(now, now + (wireBytes / this.options.cdnBytesPerSec) * 1000, wireBytes);
        timer = scheduler.at(bodyEndMs, () => {
          signal.removeEventListener('abort', onAbort);
          this.egressBytes += wireBytes;
          resolve({ bytes: body.subarray(start, end), totalBytes: body.length });
        });
      }, ttfbMs);
    });
  }
}
