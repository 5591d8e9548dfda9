/**
 * Logs every hls.js error as `type:details` and recovers from fatal ones the way the hls.js docs
 * recommend (network: restart loading; media: recoverMediaError), a bounded number of times.
 */
import Hls from 'hls.js';
import type { ErrorData } from 'hls.js';

/** Fatal errors the page tries to recover from before giving up. */
const MAX_RECOVERIES = 3;

export class HlsErrorLog {
  readonly all: string[] = [];
  readonly fatal: string[] = [];
  private recoveries = 0;
  private readonly onError = (_event: string, data: ErrorData): void => {
    const entry = `${data.type}:${data.details}`;
    this.all.push(entry);
    if (!data.fatal) {
      // The loader's reason (e.g. the P2P engine's error message) says why a load failed.
      console.warn('[swarmcast-web] hls.js error', entry, data.response?.text ?? data.error.message);
      return;
    }
    this.fatal.push(entry);
    console.error('[swarmcast-web] fatal hls.js error', entry, data.error);
    this.recover(data);
  };

  constructor(private readonly hls: Hls) {
    hls.on(Hls.Events.ERROR, this.onError);
  }

  destroy(): void {
    this.hls.off(Hls.Events.ERROR, this.onError);
  }

  private recover(data: ErrorData): void {
    if (this.recoveries >= MAX_RECOVERIES) return;
    this.recoveries += 1;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) this.hls.startLoad();
    else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) this.hls.recoverMediaError();
  }
}
