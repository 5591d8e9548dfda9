/**
 * A quick proof, before the runs, that viewer slot 0's shaping is real: a TCP upload from inside its
 * namespace to the bridge address, timed by the receiver, and the TCP connect time (about one RTT).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SERVER_ADDRESS } from './netns-testbed.js';
import type { Testbed } from './netns-testbed.js';

/** Upload this many seconds' worth of the cap: long enough that tbf's burst does not matter. */
const PROBE_SEC = 2;
const NO_CAP_PROBE_BYTES = 1024 * 1024;

export interface ShapingCheck {
  readonly uploadBytes: number;
  /** Bytes after the first chunk / time from the first to the last byte, at the receiver. */
  readonly measuredUploadKbps: number;
  /** TCP connect time seen by the viewer (SYN to SYN-ACK: one round trip). */
  readonly connectMs: number;
  readonly summary: string;
}

export async function checkShaping(testbed: Testbed): Promise<ShapingCheck> {
  const slot = testbed.slots[0];
  if (!slot) throw new Error('shaping check: no viewer slot');
  const cap = testbed.shaping.uploadKbps;
  const bytes = cap === null ? NO_CAP_PROBE_BYTES : Math.round((cap * 1000 * PROBE_SEC) / 8);
  let firstAt = 0;
  let firstLen = 0;
  let total = 0;
  let lastAt = 0;
  const server = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      if (total === 0) { firstAt = performance.now(); firstLen = chunk.length; }
      total += chunk.length;
      lastAt = performance.now();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, SERVER_ADDRESS, resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const client = `const net=require('net');const t0=performance.now();` +
      `const s=net.connect(${String(port)},'${SERVER_ADDRESS}',()=>{process.stdout.write(String(performance.now()-t0));s.end(Buffer.alloc(${String(bytes)}));});`;
    const out = await runInSlot(slot.nsPath, client);
    const connectMs = Number(out.trim());
    if (total !== bytes) throw new Error(`shaping check: received ${String(total)} of ${String(bytes)} bytes`);
    const measuredUploadKbps = Math.round(((total - firstLen) * 8) / (lastAt - firstAt));
    return {
      uploadBytes: bytes,
      measuredUploadKbps,
      connectMs: Math.round(connectMs * 10) / 10,
      summary: `slot 0 uploaded ${String(bytes)} B at ${String(measuredUploadKbps)} kbit/s (cap ${cap === null ? 'none' : `${String(cap)} kbit/s`}), ` +
        `TCP connect ${connectMs.toFixed(1)} ms (rtt ${testbed.shaping.rttMs === null ? 'not set' : `${String(testbed.shaping.rttMs)} ms`})`,
    };
  } finally {
    server.close();
  }
}

/** Runs a Node one-liner inside a namespace; resolves with its stdout once the client has closed. */
function runInSlot(nsPath: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${nsPath}`, '--', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => { if (code === 0) resolve(out); else reject(new Error(`shaping check: upload probe failed: ${err.trim()}`)); });
  });
}
