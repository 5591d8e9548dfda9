/**
 * An HttpPort serving segment bytes from a map, on virtual time: a time to first byte, then the body
 * at a bandwidth, with progress callbacks along the way. Honors Range (startBytes / endBytes), aborts
 * through the AbortSignal, and logs every request so tests can count requests and bytes.
 */
import type { ByteRange, Clock, HttpPort, HttpRequest, HttpResponse, TimerHandle } from '../../src/ports.ts';

export interface MemoryHttpOptions {
  readonly clock: Clock;
  /** url -> body. Several MemoryHttp (one per viewer) may share one map, like viewers of one CDN. */
  readonly resources?: Map<string, Uint8Array>;
  /** Time to first byte, ms. @default 50 */
  readonly latencyMs?: number;
  /** Body rate, bytes/s. @default Infinity */
  readonly bandwidthBytesPerSec?: number;
  /** Progress is reported every this many bytes. @default 16384 */
  readonly progressStepBytes?: number;
}

export interface HttpLogEntry {
  readonly url: string;
  readonly range: ByteRange | undefined;
  readonly startedAtMs: number;
  endedAtMs: number | undefined;
  outcome: 'pending' | 'ok' | 'aborted' | 'error';
  /** Body bytes sent so far (all of them when ok, a prefix when aborted). */
  bytes: number;
}

export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`HTTP ${status} for ${url}`);
  }
}

export class MemoryHttp implements HttpPort {
  readonly resources: Map<string, Uint8Array>;
  readonly log: HttpLogEntry[] = [];
  /** URLs that answer 503. */
  readonly failing = new Set<string>();
  latencyMs: number;
  bandwidthBytesPerSec: number;
  private readonly clock: Clock;
  private readonly stepBytes: number;

  constructor(options: MemoryHttpOptions) {
    this.clock = options.clock;
    this.resources = options.resources ?? new Map<string, Uint8Array>();
    this.latencyMs = options.latencyMs ?? 50;
    this.bandwidthBytesPerSec = options.bandwidthBytesPerSec ?? Number.POSITIVE_INFINITY;
    this.stepBytes = options.progressStepBytes ?? 16 * 1024;
  }

  /** Requests made (any outcome). */
  get requestCount(): number {
    return this.log.length;
  }

  /** Body bytes sent, over every request. */
  get bytesServed(): number {
    return this.log.reduce((n, e) => n + e.bytes, 0);
  }

  requestsFor(url: string): HttpLogEntry[] {
    return this.log.filter((e) => e.url === url);
  }

  fetch(request: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    const entry: HttpLogEntry = {
      url: request.url,
      range: request.range,
      startedAtMs: this.clock.now(),
      endedAtMs: undefined,
      outcome: 'pending',
      bytes: 0,
    };
    this.log.push(entry);
    return new Promise<HttpResponse>((resolve, reject) => {
      let timer: TimerHandle;
      const end = (outcome: HttpLogEntry['outcome']): void => {
        entry.outcome = outcome;
        entry.endedAtMs = this.clock.now();
        this.clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        end('aborted');
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort);
      const fail = (status: number): void => {
        end('error');
        reject(new HttpStatusError(status, request.url));
      };
      const body = this.resources.get(request.url);
      timer = this.clock.setTimeout(() => {
        if (!body) return fail(404);
        if (this.failing.has(request.url)) return fail(503);
        const start = request.range?.startBytes ?? 0;
        const stop = Math.min(request.range?.endBytes ?? body.length, body.length);
        if (start >= body.length || stop <= start) return fail(416);
        const slice = body.slice(start, stop);
        const step = (): void => {
          entry.bytes = Math.min(slice.length, entry.bytes + this.stepBytes);
          request.onProgress?.(entry.bytes);
          // The caller may abort from its progress callback.
          if (signal.aborted) return;
          if (entry.bytes >= slice.length) {
            end('ok');
            resolve({ bytes: slice, totalBytes: body.length });
            return;
          }
          timer = this.clock.setTimeout(step, this.msFor(Math.min(this.stepBytes, slice.length - entry.bytes)));
        };
        timer = this.clock.setTimeout(step, this.msFor(Math.min(this.stepBytes, slice.length)));
      }, this.latencyMs);
    });
  }

  private msFor(bytes: number): number {
    return this.bandwidthBytesPerSec === Number.POSITIVE_INFINITY ? 0 : (bytes / this.bandwidthBytesPerSec) * 1000;
  }
}
