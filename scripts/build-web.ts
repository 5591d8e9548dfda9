/**
 * Bundles the viewer page (packages/web/src/main.ts) for the browser with esbuild:
 * ESM, minified, with a source map, to packages/web/public/build/main.js (gitignored).
 */
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const outfile = join(root, 'packages', 'web', 'public', 'build', 'main.js');

await build({
  entryPoints: [join(root, 'packages', 'web', 'src', 'main.ts')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const kib = (statSync(outfile).size / 1024).toFixed(1);
console.log(`build:web: ${relative(root, outfile)} (${kib} KiB)`);
