/** The part of bittorrent-tracker 11 (plain JS, no bundled types) that the benchmark uses: its server. */
declare module 'bittorrent-tracker' {
  import type { EventEmitter } from 'node:events';
  import type { Server as HttpServer } from 'node:http';

  export interface ServerOptions {
    udp?: boolean;
    http?: boolean;
    ws?: boolean;
    stats?: boolean;
  }

  export class Server extends EventEmitter {
    constructor(options?: ServerOptions);
    /** The HTTP server carrying the WebSocket upgrade (created when ws is on and http is off). */
    readonly http: HttpServer | null;
    listen(port: number, hostname: string, onListening: () => void): void;
    close(callback?: () => void): void;
  }
}
