#!/usr/bin/env node
// Bundle each TypeScript step (kind: typescript in docker/steps/<name>/step.yaml) into one
// self-contained file, dist/steps/<step>.js, that the step images copy. Steps use node
// built-ins only, so a bundle is a few tens of KB and the images need no node_modules.
// Each bundle carries its step's compiled contract: src/lib/contract-source.ts is replaced
// by the JSON that cli/compiler/steps/contract.ts makes of step.yaml (the compiler's own
// reader, bundled here first), so the step's flags are checked exactly as the compiler does.
// Target node18: the offline base image ships Debian's Node 18; the public one is Node 20.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --out-dir DIR: where to write (default dist/steps); `images build` bundles into a temp dir.
const flag = process.argv.indexOf('--out-dir');
const outDir = flag > 0 ? process.argv[flag + 1] : join(root, 'dist/steps');

const contractModule = await loadContractModule();
const catalog = contractModule.loadStepCatalog(root);
const steps = Object.values(catalog).filter((s) => s.kind === 'typescript');

await Promise.all(
  steps.map((step) =>
    build({
      entryPoints: [join(root, step.entry)],
      outfile: join(outDir, `${step.name}.js`),
      bundle: true,
      platform: 'node',
      target: 'node18',
      format: 'cjs',
      minify: false, // readable stack traces in step logs matter more than a few KB
      legalComments: 'none',
      logLevel: 'warning',
      // Each entry runs itself when it is the main module (`require.main === module`).
      logOverride: { 'commonjs-variable-in-esm': 'silent' },
      plugins: [bakedContract(step.name, contractModule.compiledContract(step))],
    }),
  ),
);
console.log(`bundled ${steps.length} steps into ${outDir}`);

/** src/lib/contract-source.ts, replaced by the step's compiled contract. */
function bakedContract(name, contract) {
  return {
    name: 'baked-contract',
    setup(b) {
      b.onResolve({ filter: /\/contract-source$/ }, (args) => ({
        path: join(args.resolveDir, 'contract-source.ts'),
        namespace: 'baked-contract',
      }));
      b.onLoad({ filter: /.*/, namespace: 'baked-contract' }, () => ({
        loader: 'js',
        contents: `const contract = ${JSON.stringify(contract)};
export function contractFor(step) {
  if (step !== ${JSON.stringify(name)}) throw new Error('this bundle holds the contract of ${name}, not ' + step);
  return contract;
}`,
      }));
    },
  };
}

/** cli/compiler/steps/contract.ts, bundled to a temp file and loaded (no tsc build needed). */
async function loadContractModule() {
  const dir = mkdtempSync(join(tmpdir(), 'airflow-ml-contract-'));
  try {
    const outfile = join(dir, 'contract.cjs');
    await build({
      entryPoints: [join(root, 'cli/compiler/steps/contract.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'warning',
      nodePaths: [join(root, 'node_modules')],
    });
    const mod = createRequire(import.meta.url)(outfile);
    try {
      mod.loadStepCatalog(root);
    } catch (err) {
      // Contract errors are positioned diagnostics: print them as the compiler does.
      console.error(err.message);
      process.exit(1);
    }
    return mod;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
