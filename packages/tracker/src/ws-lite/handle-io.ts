/**
 * Reads and writes a TCP socket's libuv handle directly, as net.Socket itself does underneath, so
 * that each relayed frame skips Node's stream machinery:
 * - writes: `handle.writeLatin1String(req, frame)` (ASCII frames as one string) or
 *   `handle.writeBuffer(req, frame)`, with a stream_wrap WriteWrap, instead of Writable.write
 *   (state bookkeeping, a WriteWrap anyway, and a nextTick per write);
 * - reads: the handle reads into one buffer shared by every socket (`handle.useUserBuffer`, what
 *   net.Socket's documented `onread` option sets up), instead of a new ArrayBuffer and a
 *   Readable.push per read.
 * Under bench:tracker the stream paths cost ~10 % of the tracker's CPU (docs/benchmarks.md).
 *
 * These are Node internals (present since Node 12; used and tested here on Node 20). Each piece is
 * looked up once and checked; when one is missing (another Node, a socket that is not plain TCP, a
 * test double, or `process.binding` refused under --pending-deprecation with --throw-deprecation),
 * sockets use socket.write and 'data' events as before.
 */
import { Socket } from 'node:net';
import type { SocketConstructorOpts } from 'node:net';
import type { Duplex } from 'node:stream';

/** What the layer needs of a libuv stream handle (TCPWrap). */
export interface StreamHandle {
  /** 0, or a negative libuv error code; after it, streamBaseState says whether the write went async. */
  writeBuffer(req: WriteReq, data: Buffer): number;
  /** As writeBuffer, with the string's characters as bytes (native side copies what it must keep). */
  writeLatin1String(req: WriteReq, data: string): number;
  useUserBuffer(buffer: Uint8Array): void;
}

/** Told when a write that libuv had to queue is done. */
export interface WriteSink {
  /** bytes: the frame's length; status: 0, or a negative libuv error code. */
  queuedWriteDone(bytes: number, status: number): void;
}

/** A stream_wrap WriteWrap with the fields Node's own stream code sets, and ours. */
interface WriteReq {
  handle: StreamHandle;
  /** Called by the native side, with the request as `this`, when a queued write ends. */
  oncomplete: (this: WriteReq, status: number) => void;
  /** Keeps the frame alive while libuv holds it. */
  buffer: Buffer | null;
  bytes: number;
  sink: WriteSink | null;
}

interface StreamWrapBinding {
  readonly WriteWrap: new () => WriteReq;
  readonly streamBaseState: Int32Array;
  readonly kLastWriteWasAsync: number;
}

/** The symbols net.Socket keeps its `onread` option under. */
interface UserBufferKeys {
  readonly buffer: symbol;
  readonly callback: symbol;
  readonly generator: symbol;
}

/** Called with `this` the net socket, the bytes read and the shared buffer they are at the start of. */
export type UserBufferReader = (this: Duplex, bytes: number, buffer: Buffer) => void;

const STREAM_WRAP = loadStreamWrap();
const USER_BUFFER_KEYS = findUserBufferKeys();
/** One read at a time on one thread: every socket reads into this; what a parser keeps, it copies. */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** The socket's handle when frames can be written to it directly, else undefined. */
export function directHandle(socket: Duplex): StreamHandle | undefined {
  if (STREAM_WRAP === undefined || !(socket instanceof Socket)) return undefined;
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  return typeof handle?.writeBuffer === 'function' && typeof handle.writeLatin1String === 'function' && typeof handle.useUserBuffer === 'function'
    ? (handle as StreamHandle)
    : undefined;
}

/**
 * The request object for the next write. The native side only takes a request over when libuv has
 * to queue the write; a write that goes to the kernel at once leaves it untouched, so one object
 * serves every such write instead of a new WriteWrap (a C++ constructor call) per frame.
 */
let spareReq: WriteReq | undefined;

/**
 * Writes frame to handle. Returns a negative libuv error code (the socket is then broken), 0 when
 * the frame went to the kernel, or its length when libuv had to queue it (in order with any later
 * write to the socket); sink.queuedWriteDone is then called when it ends.
 */
export function writeToHandle(handle: StreamHandle, frame: Buffer, sink: WriteSink): number {
  const req = takeReq();
  if (req === undefined) return -1;
  req.handle = handle;
  return settle(req, handle.writeBuffer(req, frame), frame, frame.length, sink);
}

/**
 * As writeToHandle for a frame given as a string of byte-valued characters (each below 256): the
 * native side writes it from the string, with no Buffer made for it, and copies what it queues.
 */
export function writeLatin1ToHandle(handle: StreamHandle, frame: string, sink: WriteSink): number {
  const req = takeReq();
  if (req === undefined) return -1;
  req.handle = handle;
  return settle(req, handle.writeLatin1String(req, frame), null, frame.length, sink);
}

function takeReq(): WriteReq | undefined {
  const binding = STREAM_WRAP;
  if (binding === undefined) return undefined;
  return spareReq ?? newReq(binding);
}

/** The result of a write with req (see writeToHandle). */
function settle(req: WriteReq, status: number | undefined, keep: Buffer | null, bytes: number, sink: WriteSink): number {
  if (status !== 0) {
    // Not knowing what a failed write left in the request, the next write gets a new one. (A
    // handle already freed answers undefined.)
    spareReq = undefined;
    return typeof status === 'number' && status < 0 ? status : -1;
  }
  const binding = STREAM_WRAP;
  if (binding === undefined || binding.streamBaseState[binding.kLastWriteWasAsync] === 0) return 0;
  // libuv holds this request now: the next write gets a new one.
  spareReq = undefined;
  req.buffer = keep;
  req.bytes = bytes;
  req.sink = sink;
  return bytes;
}

function newReq(binding: StreamWrapBinding): WriteReq {
  const req = new binding.WriteWrap();
  req.oncomplete = onQueuedWriteDone;
  req.buffer = null;
  req.bytes = 0;
  req.sink = null;
  spareReq = req;
  return req;
}

function onQueuedWriteDone(this: WriteReq, status: number): void {
  const sink = this.sink;
  this.buffer = null;
  this.sink = null;
  sink?.queuedWriteDone(this.bytes, status);
}

/**
 * Makes the socket's handle read into the shared buffer and hand each read to reader, with no
 * 'data' event; false (nothing changed) when that cannot be set up. End of stream and errors still
 * come as 'end', 'error' and 'close'.
 */
export function readIntoSharedBuffer(socket: Duplex, handle: StreamHandle, reader: UserBufferReader): boolean {
  const keys = USER_BUFFER_KEYS;
  // Bytes the Readable already holds would be read after later ones: only a socket with none.
  if (keys === undefined || socket.readableLength !== 0) return false;
  const tagged = socket as unknown as Record<symbol, unknown>;
  tagged[keys.buffer] = SHARED_READ_BUFFER;
  tagged[keys.callback] = reader;
  tagged[keys.generator] = null;
  handle.useUserBuffer(SHARED_READ_BUFFER);
  return true;
}

function loadStreamWrap(): StreamWrapBinding | undefined {
  try {
    const binding = (process as unknown as { binding?: (name: string) => unknown }).binding?.('stream_wrap') as Partial<StreamWrapBinding> | undefined;
    const { WriteWrap, streamBaseState, kLastWriteWasAsync } = binding ?? {};
    if (typeof WriteWrap !== 'function' || !(streamBaseState instanceof Int32Array) || typeof kLastWriteWasAsync !== 'number') return undefined;
    return { WriteWrap, streamBaseState, kLastWriteWasAsync };
  } catch {
    return undefined;
  }
}

/** The symbols behind net.Socket's `onread` option, read from a socket made with it. */
function findUserBufferKeys(): UserBufferKeys | undefined {
  // A documented option (net.Socket's onread) that @types/node 20 leaves out.
  const options = { onread: { buffer: Buffer.alloc(1), callback: () => true } } as SocketConstructorOpts;
  const probe = new Socket(options);
  const symbols = Object.getOwnPropertySymbols(probe);
  probe.destroy();
  const find = (description: string): symbol | undefined => symbols.find((s) => s.description === description);
  const buffer = find('kBuffer');
  const callback = find('kBufferCb');
  const generator = find('kBufferGen');
  return buffer && callback && generator ? { buffer, callback, generator } : undefined;
}
