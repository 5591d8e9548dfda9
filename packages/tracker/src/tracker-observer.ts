/**
 * A read-only window on what the tracker sees, for monitoring and tests (as mediasoup's `observer`):
 * listeners are told, they cannot change anything, and a listener that throws is logged, never
 * allowed to break the tracker.
 */
import type { SignalData } from '@swarmcast/protocol';

/** A signal message a client sent, as the tracker received it (before relaying it, or refusing to). */
export interface ObservedSignal {
  readonly swarm: string;
  /** Sender's peer id. */
  readonly from: string;
  /** Addressee's peer id. */
  readonly to: string;
  readonly data: SignalData;
}

export interface TrackerObserverEvents {
  /** Every valid signal message from a client, whether or not it could then be relayed. */
  signal: (e: ObservedSignal) => void;
}

export class TrackerObserver {
  readonly #onListenerError: (event: string, error: unknown) => void;
  readonly #listeners: { [K in keyof TrackerObserverEvents]: Set<TrackerObserverEvents[K]> } = { signal: new Set() };

  /** onListenerError: where a listener's exception goes (the tracker logs it as an error). */
  constructor(onListenerError: (event: string, error: unknown) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof TrackerObserverEvents>(event: K, listener: TrackerObserverEvents[K]): void {
    this.#listeners[event].add(listener);
  }

  off<K extends keyof TrackerObserverEvents>(event: K, listener: TrackerObserverEvents[K]): void {
    this.#listeners[event].delete(listener);
  }

  /** Whether anyone listens to `event` (so the tracker builds no payload for nobody). */
  listening(event: keyof TrackerObserverEvents): boolean {
    return this.#listeners[event].size > 0;
  }

  /** Tells every listener (the tracker's side; TrackerServer.observer offers only on/off); a listener that throws is logged and the others still run. */
  emit<K extends keyof TrackerObserverEvents>(event: K, ...args: Parameters<TrackerObserverEvents[K]>): void {
    for (const listener of [...this.#listeners[event]]) {
      try {
        (listener as (...a: Parameters<TrackerObserverEvents[K]>) => void)(...args);
      } catch (error) {
        this.#onListenerError(event, error);
      }
    }
  }

  /** Drops every listener (on close). */
  clear(): void {
    for (const set of Object.values(this.#listeners)) set.clear();
  }
}

/** What TrackerServer.observer offers its users: listening, not emitting. */
export type TrackerObserverApi = Pick<TrackerObserver, 'on' | 'off'>;
