/**
 * The freeze watchdog (src/freeze-watchdog.ts) in real child processes: a main thread blocked in a
 * wait it never leaves (what libdatachannel's relay deadlock does to an edge peer) gets the process
 * ended with SIGKILL and one stderr line; a live process is left alone and exits by itself.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FREEZE_EXIT_MESSAGE, startFreezeWatchdog } from '../src/freeze-watchdog.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'freeze-child.ts');

interface ChildEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From its 'ready' line to its end, ms. */
  readonly afterReadyMs: number | undefined;
}

function runChild(mode: 'freeze' | 'live' | 'stopped', freezeMs: number): Promise<ChildEnd> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, String(freezeMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let readyAtMs: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (readyAtMs === undefined && stdout.includes('ready\n')) readyAtMs = performance.now();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    // Bounded: the frozen child blocks 20 s at most, the live one runs 3 s.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, afterReadyMs: readyAtMs === undefined ? undefined : performance.now() - readyAtMs });
    });
  });
}

void describe('freeze watchdog', () => {
  void test('a main thread that never comes back gets the process killed, with one line on stderr', { timeout: 90_000 }, async () => {
    const end = await runChild('freeze', 500);
    assert.equal(end.signal, 'SIGKILL', `exit ${String(end.code)} ${end.stderr}`);
    assert.ok(!end.stdout.includes('woke'), 'the main thread never came back before the kill');
    assert.match(end.stderr, new RegExp(`fixture: ${FREEZE_EXIT_MESSAGE} for \\d+ ms: ending the process`));
    // Blocked 20 s; killed about 0.5 s in (a loaded machine may add some seconds, never 20).
    assert.ok(end.afterReadyMs !== undefined && end.afterReadyMs < 15_000, `killed ${String(end.afterReadyMs)} ms after ready`);
  });

  void test('a live process is left alone and ends by itself: the watchdog keeps nothing open', { timeout: 90_000 }, async () => {
    const end = await runChild('live', 2_000);
    assert.equal(end.code, 0, end.stderr);
    assert.equal(end.signal, null);
    assert.ok(end.stdout.includes('done'));
    assert.ok(!end.stderr.includes(FREEZE_EXIT_MESSAGE), end.stderr);
  });

  void test('rejects a window too short to tell a freeze from a busy moment', () => {
    assert.throws(() => startFreezeWatchdog({ freezeMs: 50 }), /freezeMs must be a number >= 200/);
    assert.throws(() => startFreezeWatchdog({ freezeMs: Number.NaN }), /freezeMs/);
  });

  void test('once stopped (twice: idempotent) it watches no more: a 2 s block passes', { timeout: 90_000 }, async () => {
    const end = await runChild('stopped', 300);
    assert.equal(end.code, 0, end.stderr);
    assert.ok(end.stdout.includes('woke'));
    assert.ok(!end.stderr.includes(FREEZE_EXIT_MESSAGE), end.stderr);
  });
});
