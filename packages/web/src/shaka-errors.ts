/**
 * Logs every Shaka player error as `shaka:<category>:<code>`; CRITICAL ones (Shaka stops playback
 * after them) also go to `fatal`. The report names them hlsErrors / hlsFatalErrors like the hls.js page.
 */
import type { ShakaPlayer } from '@swarmcast/shaka';

/** shaka.util.Error.Severity.CRITICAL. */
const SEVERITY_CRITICAL = 2;
/** Errors kept (the oldest dropped first). */
const MAX_ERRORS_KEPT = 200;

interface ShakaErrorLike {
  readonly severity?: number;
  readonly category?: number;
  readonly code?: number;
}

export class ShakaErrorLog {
  readonly all: string[] = [];
  readonly fatal: string[] = [];
  private readonly onError = (event: Event): void => {
    const detail = (event as CustomEvent<ShakaErrorLike | undefined>).detail;
    const entry = `shaka:${String(detail?.category ?? '?')}:${String(detail?.code ?? '?')}`;
    push(this.all, entry);
    if (detail?.severity !== SEVERITY_CRITICAL) return;
    push(this.fatal, entry);
    console.error('[swarmcast-web] critical Shaka error', entry, detail);
  };

  constructor(private readonly player: ShakaPlayer) {
    player.addEventListener('error', this.onError);
  }

  destroy(): void {
    this.player.removeEventListener('error', this.onError);
  }
}

function push(list: string[], entry: string): void {
  list.push(entry);
  if (list.length > MAX_ERRORS_KEPT) list.shift();
}
