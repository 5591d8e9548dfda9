import type { TrackerSocketFactory } from '@swarmcast/core';

/** The tracker connection over the browser's WebSocket. Binary frames are never expected. */
export const browserTrackerSocket: TrackerSocketFactory = (url, events) => {
  const ws = new WebSocket(url);
  let closed = false;
  const close = (reason: string): void => {
    if (closed) return;
    closed = true;
    events.close(reason);
  };
  ws.onopen = () => events.open();
  ws.onmessage = (e: MessageEvent) => {
    if (typeof e.data === 'string') events.message(e.data);
    else close('binary frame from tracker');
  };
  ws.onclose = (e) => close(`closed ${e.code} ${e.reason}`);
  ws.onerror = () => close('socket error');
  return {
    send: (text) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    close: () => {
      closed = true;
      ws.close();
    },
  };
};
