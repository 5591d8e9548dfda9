/** coturn's usage lines are deltas: the harness sums them and lists a session only once it closed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUsage } from './harness/coturn.js';

const usage = (session: string, peer: boolean, user: string, rp: number, rb: number, sp: number, sb: number): string =>
  `0: : session ${session}: ${peer ? 'peer ' : ''}usage: realm=<swarmcast.test>, username=<${user}>, rp=${rp}, rb=${rb}, sp=${sp}, sb=${sb}`;

void test('coturn usage: interval lines are summed per session, a session is listed once closed', () => {
  const log = [
    usage('001', false, '1:a', 2000, 2_000_000, 48, 4800),
    usage('001', true, '1:a', 40, 4000, 2008, 1_900_000),
    usage('002', false, '1:b', 10, 1000, 10, 1000),
    usage('002', true, '1:b', 10, 900, 10, 900),
    usage('001', false, '1:a', 5, 5000, 7, 700),
    usage('001', true, '1:a', 3, 300, 9, 9000),
    '0: : session 001: closed (2nd stage), user <1:a> realm <swarmcast.test> origin <>, local 127.0.0.1:3478, remote 127.0.0.1:5000, reason: allocation timeout',
  ].join('\n');
  const sessions = parseUsage(log);
  assert.equal(sessions.length, 1, 'session 002 has not closed yet');
  assert.deepEqual(sessions[0], {
    session: '001',
    username: '1:a',
    client: { receivedPackets: 2005, receivedBytes: 2_005_000, sentPackets: 55, sentBytes: 5500 },
    peer: { receivedPackets: 43, receivedBytes: 4300, sentPackets: 2017, sentBytes: 1_909_000 },
  });
});

void test('coturn usage: a session that never authenticated is left out', () => {
  const log = [usage('003', false, '', 1, 20, 1, 100), usage('003', true, '', 0, 0, 0, 0), '0: : session 003: closed (2nd stage), user <> realm <swarmcast.test>'].join('\n');
  assert.deepEqual(parseUsage(log), []);
});
