/**
 * Runs one test group with Node's test runner: `unit` (every packages/<name>/test/*.test.ts and sim/test) or
 * `e2e` (test/e2e/*.test.ts, inside a loopback-only network namespace). Extra args filter by path.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

const [group = 'unit', ...filters] = process.argv.slice(2);
let files: string[];
if (group === 'unit') {
  files = readdirSync(join(root, 'packages'))
    .map((p) => join(root, 'packages', p, 'test'))
    .filter((d) => statSync(d, { throwIfNoEntry: false })?.isDirectory() === true)
    .flatMap((d) => findTests(d))
    .concat(findTests(join(root, 'sim', 'test')));
} else if (group === 'e2e') {
  files = findTests(join(root, 'test', 'e2e'));
} else {
  throw new Error(`unknown test group ${group}: use unit or e2e`);
}
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) throw new Error(`no ${group} test files found`);

const nodeArgs = ['--import', 'tsx', '--test', '--test-reporter=spec', ...(group === 'e2e' ? ['--test-concurrency=1'] : []), ...files];
const command = group === 'e2e' ? ['tsx', join(root, 'scripts', 'in-netns.ts'), process.execPath, ...nodeArgs] : [process.execPath, ...nodeArgs];
const [bin = '', ...args] = command;
const result = spawnSync(bin === 'tsx' ? join(root, 'node_modules', '.bin', 'tsx') : bin, args, { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
