/** A load worker process: drives one slice of the peers for the parent (run-load.ts) over IPC. */
import type { WorkerCommand, WorkerReport } from './ipc.js';
import { LoadDriver } from './load-driver.js';

/** The connect phase of one worker gives up after this (a wedged tracker must not hang the run). */
const CONNECT_DEADLINE_MS = 180_000;

if (process.send === undefined) throw new Error('worker-main.ts runs as a child with an IPC channel');
const send = (msg: WorkerReport): void => {
  process.send?.(msg);
};
let driver: LoadDriver | undefined;

function exit(): void {
  driver?.close();
  // Let terminate() frames go out, then leave even if a handle lingers.
  setTimeout(() => process.exit(0), 200).unref();
  process.disconnect();
}

process.on('message', (cmd: WorkerCommand) => {
  switch (cmd.type) {
    case 'plan': {
      const d = new LoadDriver(cmd.plan);
      driver = d;
      void d.connectAll(Date.now() + CONNECT_DEADLINE_MS).then(({ open, failed }) => {
        send({ type: 'connected', open, failed, errors: d.errors });
      });
      return;
    }
    case 'load':
      void driver?.load(cmd.durationMs, cmd.churnPerSec, cmd.exchanges).then(send);
      return;
    case 'status':
      send({ type: 'status', open: driver?.openCount() ?? 0, errors: driver?.errors ?? {} });
      return;
    case 'close':
      exit();
      return;
    default:
      cmd satisfies never;
  }
});
process.on('disconnect', () => {
  driver?.close();
  setTimeout(() => process.exit(0), 200).unref();
});
