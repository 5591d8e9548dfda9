/** The parent's side of the tracker child (server-main.ts): start, sample, stop. */
import type { ChildProcess } from 'node:child_process';
import { killChild, nextMessage, spawnTsChild, stopChild } from './child-process.js';
import type { ServerCommand, ServerReport, ServerSample, TrackerKind } from './ipc.js';

const READY_TIMEOUT_MS = 30_000;
const SAMPLE_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
/** Extra Node flags for the tracker process, e.g. '--cpu-prof --cpu-prof-dir=.tmp/prof' while tuning. */
const EXTRA_NODE_ARGS = (process.env.TRACKER_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

export class ServerHandle {
  readonly #child: ChildProcess;
  readonly port: number;
  /** The tracker kind, or the node id of a cluster node (in error messages). */
  readonly label: string;

  private constructor(child: ChildProcess, port: number, label: string) {
    this.#child = child;
    this.port = port;
    this.label = label;
  }

  /**
   * Starts the tracker in its own process (on CPU 0 when pinning works), with --expose-gc for clean
   * memory samples; a cluster node gets `cluster` (it reports ready once its Redis links are up).
   */
  static async start(kind: TrackerKind, cpu: number | undefined, cluster?: { readonly redisUrl: string; readonly nodeId: string }): Promise<ServerHandle> {
    const clusterArgs = cluster === undefined ? [] : ['--redis-url', cluster.redisUrl, '--node-id', cluster.nodeId];
    const child = spawnTsChild('server-main.ts', [kind, ...clusterArgs], { ...(cpu === undefined ? {} : { cpu }), nodeArgs: ['--expose-gc', ...EXTRA_NODE_ARGS] });
    try {
      const port = await nextMessage(child, (m) => ((m as ServerReport).type === 'ready' ? (m as { port: number }).port : undefined), READY_TIMEOUT_MS, `${kind} tracker start`);
      return new ServerHandle(child, port, cluster?.nodeId ?? kind);
    } catch (error) {
      await killChild(child);
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Memory, CPU and counters, read inside the tracker process; gc first when asked (for memory). */
  sample(gc: boolean): Promise<ServerSample> {
    const reply = nextMessage(this.#child, (m) => ((m as ServerReport).type === 'sample' ? (m as ServerSample) : undefined), SAMPLE_TIMEOUT_MS, `${this.label} sample (an overloaded tracker answers late)`);
    this.#send({ type: 'sample', gc });
    return reply;
  }

  /** Asks the tracker to exit, and kills it by PID if it has not within STOP_GRACE_MS; idempotent. */
  stop(): Promise<void> {
    return stopChild(this.#child, STOP_GRACE_MS);
  }

  #send(cmd: ServerCommand): void {
    if (this.#child.connected) this.#child.send(cmd);
  }
}
