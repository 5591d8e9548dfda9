import type { TrackerSocketFactory } from '@swarmcast/core';
import { LIMITS } from '@swarmcast/protocol';
import { WebSocket } from 'ws';

/**
 * The tracker connection over `ws`. Frames beyond the protocol's tracker message limit are refused
 * by ws itself (maxPayload); binary frames are never expected.
 */
export const nodeTrackerSocket: TrackerSocketFactory = (url, events) => {
  const ws = new WebSocket(url, { maxPayload: LIMITS.maxTrackerMessageBytes, perMessageDeflate: false });
  let closed = false;
  const close = (reason: string): void => {
    if (closed) return;
    closed = true;
    events.close(reason);
  };
  ws.on('open', () => {
    if (!closed) events.open();
  });
  ws.on('message', (data, isBinary) => {
    if (closed) return;
    if (isBinary) {
      close('binary frame from tracker');
      ws.terminate();
      return;
    }
    events.message(textOf(data));
  });
  ws.on('close', (code, reason) => {
    close(`closed ${code} ${reason.toString('utf8')}`);
  });
  // ws emits 'close' after 'error'; the listener must exist or the error is thrown.
  ws.on('error', () => {
    close('socket error');
  });
  return {
    send: (text) => {
      if (!closed && ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    close: () => {
      closed = true;
      // Before the handshake ends, close() aborts it; after, it starts the closing handshake.
      ws.close();
    },
  };
};

function textOf(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}
