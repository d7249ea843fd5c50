#!/usr/bin/env node
// Bundle each step in docker/steps/steps.json into one self-contained file,
// dist/steps/<step>.js, that the step images copy. Steps use node built-ins only, so a
// bundle is a few tens of KB and the images need no node_modules.
// Target node18: the offline base image ships Debian's Node 18; the public one is Node 20.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --out-dir DIR: where to write (default dist/steps); `images build` bundles into a temp dir.
const flag = process.argv.indexOf('--out-dir');
const outDir = flag > 0 ? process.argv[flag + 1] : join(root, 'dist/steps');
const manifest = JSON.parse(readFileSync(join(root, 'docker/steps/steps.json'), 'utf8'));
const steps = Object.keys(manifest).filter((k) => !k.startsWith('$'));

await Promise.all(
  steps.map((step) =>
    build({
      entryPoints: [join(root, 'docker/steps/src', `${step}.ts`)],
      outfile: join(outDir, `${step}.js`),
      bundle: true,
      platform: 'node',
      target: 'node18',
      format: 'cjs',
      minify: false, // readable stack traces in step logs matter more than a few KB
      legalComments: 'none',
      logLevel: 'warning',
      // Each entry runs itself when it is the main module (`require.main === module`).
      logOverride: { 'commonjs-variable-in-esm': 'silent' },
    }),
  ),
);
console.log(`bundled ${steps.length} steps into ${outDir}`);
