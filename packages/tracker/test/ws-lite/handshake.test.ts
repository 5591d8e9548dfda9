import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { acceptKey, checkUpgrade, refusal } from '../../src/ws-lite/handshake.js';

function req(headers: Record<string, string>, method = 'GET'): IncomingMessage {
  const base: Record<string, string> = {
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  };
  const merged = Object.fromEntries(Object.entries({ ...base, ...headers }).filter(([, v]) => v !== ''));
  return { method, headers: merged } as unknown as IncomingMessage;
}

void describe('ws-lite handshake', () => {
  void test('Sec-WebSocket-Accept is RFC 6455\'s example', () => {
    assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  void test('a valid request passes, header tokens case-insensitive and in lists', () => {
    assert.deepEqual(checkUpgrade(req({})), { key: 'dGhlIHNhbXBsZSBub25jZQ==' });
    assert.deepEqual(checkUpgrade(req({ upgrade: 'WebSocket', connection: 'keep-alive, Upgrade' })), { key: 'dGhlIHNhbXBsZSBub25jZQ==' });
  });

  void test('refusals say why, with the right status', () => {
    const status = (r: IncomingMessage): number | undefined => {
      const checked = checkUpgrade(r);
      return 'status' in checked ? checked.status : undefined;
    };
    assert.equal(status(req({}, 'POST')), 405);
    assert.equal(status(req({ upgrade: 'h2c' })), 400);
    assert.equal(status(req({ upgrade: '' })), 400);
    assert.equal(status(req({ connection: 'keep-alive' })), 400);
    assert.equal(status(req({ 'sec-websocket-version': '8' })), 426);
    assert.equal(status(req({ 'sec-websocket-version': '' })), 426);
    assert.equal(status(req({ 'sec-websocket-key': '' })), 400);
    // Not 16 bytes: 15 and 17 bytes, and a non-canonical last character.
    assert.equal(status(req({ 'sec-websocket-key': Buffer.alloc(15).toString('base64') })), 400);
    assert.equal(status(req({ 'sec-websocket-key': Buffer.alloc(17).toString('base64') })), 400);
    assert.equal(status(req({ 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZR==' })), 400);
    assert.equal(status(req({ 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ' })), 400);
    const refused = checkUpgrade(req({ 'sec-websocket-version': '8' }));
    assert.ok('message' in refused && refused.message.includes('13'));
  });

  void test('a refusal is a complete HTTP response that closes the connection; 426 names the version', () => {
    const text = refusal(426, 'Sec-WebSocket-Version must be 13');
    assert.match(text, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(text, /\r\nConnection: close\r\n/);
    assert.match(text, /\r\nSec-WebSocket-Version: 13\r\n/);
    assert.match(text, /\r\nContent-Length: 32\r\n\r\nSec-WebSocket-Version must be 13$/);
  });
});
