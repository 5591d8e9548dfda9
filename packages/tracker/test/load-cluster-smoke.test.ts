/**
 * Smoke test of bench:tracker's cluster mode (bench/tracker-load/cluster-*.ts): 300 peers over 2
 * tracker nodes and a real redis-server for a few seconds. It checks that every peer connects, that
 * relays cross nodes through Redis and are measured apart, and that every process is stopped; never
 * how fast anything is (the benchmark's job, docs/benchmarks.md).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseTrackerBenchArgs } from '../../../bench/tracker-load/args.js';
import { measureCluster } from '../../../bench/tracker-load/cluster-load.js';
import { clusterResult } from '../../../bench/tracker-load/cluster-result.js';
import { liveChildren } from '../../../bench/tracker-load/run-load.js';
import { assertRedisInstalled } from './redis-server.js';

const quiet = (): void => undefined;

void describe('tracker load generator, cluster mode (smoke)', () => {
  void test('300 peers over 2 nodes: all connect, relays cross nodes through Redis, everything stops', async () => {
    assertRedisInstalled();
    const args = parseTrackerBenchArgs(['--redis', '--nodes', '2', '--peers', '300', '--duration', '6', '--rate', '1', '--workers', '2', '--swarm-size', '30', '--announce-interval', '2', '--no-baseline']);
    assert.equal(args.pin, false, 'cluster mode pins nothing');
    const f = await measureCluster(args, quiet);
    assert.equal(liveChildren.size, 0, 'every child process was stopped');
    assert.equal(f.peers, 300);
    assert.equal(f.connectFailed, 0);
    assert.deepEqual(f.perNode.map((n) => n.peers), [150, 150], 'round robin over the nodes');
    assert.ok(f.exchangesCompleted > 0 && f.signalsRelayed >= f.exchangesCompleted * 2, `${f.signalsRelayed} relayed for ${f.exchangesCompleted} exchanges`);
    // Partners are drawn from the whole swarm, half of it on the other node.
    assert.ok(f.crossNodeShare > 0.2 && f.crossNodeShare < 0.8, `cross-node share ${f.crossNodeShare}`);
    const sentRemote = f.perNode.reduce((s, n) => s + n.signalsSentRemote, 0);
    const deliveredRemote = f.perNode.reduce((s, n) => s + n.signalsDeliveredRemote, 0);
    assert.ok(sentRemote > 0 && deliveredRemote > 0, `published ${sentRemote}, delivered ${deliveredRemote} through Redis`);
    for (const p of [f.sameNodeRelayLatencyMs, f.crossNodeRelayLatencyMs]) assert.ok(p.p50 !== null && p.p99 !== null && p.p50 <= p.p99);
    assert.ok(f.redis.cpuSec > 0 && f.redis.commandsPerSec > 0 && f.redis.rssBytes.idle > 0, 'redis-server sampled');
    assert.equal(f.redis.connectedClients, 2 * 2 + 1, 'two links per node and the bench');
    assert.deepEqual(f.clientErrors, {});
    assert.deepEqual(f.trackerErrors, {});
    assert.deepEqual(clusterResult(args, f).warnings.filter((w) => !w.includes('busy')), []);
  });

  void test('cluster mode arguments are checked', () => {
    assert.throws(() => parseTrackerBenchArgs(['--nodes', '3']), /--nodes needs --redis/);
    assert.throws(() => parseTrackerBenchArgs(['--redis']), /add --no-baseline/);
    assert.throws(() => parseTrackerBenchArgs(['--redis', '--soak', '--no-baseline']), /do not go together/);
    assert.equal(parseTrackerBenchArgs(['--redis', '--no-baseline']).nodes, 3);
  });
});
