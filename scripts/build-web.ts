/**
 * Bundles the viewer page (packages/web/src/main.ts) for the browser with esbuild:
 * ESM, minified, with a source map, to packages/web/public/build/main.js (gitignored); the Shaka
 * Player viewer (packages/web/src/shaka-viewer.ts, served as shaka.html) to build/shaka.js.
 * Also bundles the hostile peer page of the e2e tests (test/e2e/hostile/main.ts, served as
 * packages/web/public/e2e/hostile.html) to build/hostile.js.
 */
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const buildDir = join(root, 'packages', 'web', 'public', 'build');
const bundles = [
  { entry: join(root, 'packages', 'web', 'src', 'main.ts'), outfile: join(buildDir, 'main.js') },
  { entry: join(root, 'packages', 'web', 'src', 'shaka-viewer.ts'), outfile: join(buildDir, 'shaka.js') },
  { entry: join(root, 'test', 'e2e', 'hostile', 'main.ts'), outfile: join(buildDir, 'hostile.js') },
];

for (const { entry, outfile } of bundles) {
  await build({
    entryPoints: [entry],
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
}
