/**
 * Benchmark (not a test): compile N specs in one call, in-process, and report the time.
 * The baseline in the same run is a single spec, to show per-spec cost.
 *   npx ts-node is not needed: `npm run build && node dist/bench/compile-bench.js [N]`
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile } from '../cli/compiler/compile';
import { imageTags } from '../cli/compiler/steps/tags';
import { projectRoot } from '../cli/base/paths';
import { loadStepCatalog } from '../cli/compiler/steps/contract';

const root = projectRoot();
const n = Number(process.argv[2] ?? 200);
const base = fs.readFileSync(path.join(root, 'dag-specs', 'train_model.yaml'), 'utf8');
const specs = Array.from({ length: n }, (_, i) => ({
  path: `bench/spec_${i}.yaml`,
  text: base.replace('dag_id: train_model', `dag_id: train_model_${i}`),
}));

const t0 = process.hrtime.bigint();
const options = { catalog: loadStepCatalog(root), imageTags: imageTags(root) };
const t1 = process.hrtime.bigint();
const one = compile(specs.slice(0, 1), options);
const t2 = process.hrtime.bigint();
const all = compile(specs, options);
const t3 = process.hrtime.bigint();
if (one.diagnostics.length + all.diagnostics.length > 0) throw new Error('bench specs are invalid');
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
console.log(`setup (step catalog + image tags): ${ms(t0, t1).toFixed(1)} ms`);
console.log(`compile 1 spec:   ${ms(t1, t2).toFixed(1)} ms (includes warm-up)`);
console.log(
  `compile ${n} specs: ${ms(t2, t3).toFixed(1)} ms, ${(ms(t2, t3) / n).toFixed(2)} ms/spec, ${all.files.size} files`,
);
