/**
 * Runs a command inside a fresh network namespace whose only interface is loopback, so WebRTC and
 * every test server stay on 127.0.0.1 and no packet can leave the machine. Needs root (unshare -n).
 * Already inside one (SWARMCAST_NETNS=1)? Runs the command as it is.
 */
import { spawnSync } from 'node:child_process';

const command = process.argv.slice(2);
if (command.length === 0) throw new Error('usage: in-netns <command> [args...]');
// Only the command itself: an argument spelled tsx (as in `node --import tsx`) must stay as it is.
const resolved = command.map((c, i) => (i === 0 && c === 'tsx' ? `${import.meta.dirname}/../node_modules/.bin/tsx` : c));
const result =
  process.env.SWARMCAST_NETNS === '1'
    ? spawnSync(resolved[0] ?? '', resolved.slice(1), { stdio: 'inherit' })
    : spawnSync('unshare', ['-n', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'in-netns', ...resolved], {
        stdio: 'inherit',
        env: { ...process.env, SWARMCAST_NETNS: '1' },
      });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
