import * as path from 'node:path';
import { compile, type CompileResult, type SpecSource } from '../../cli/compiler/compile';
import { loadStepCatalog } from '../../cli/compiler/steps/contract';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CATALOG = loadStepCatalog(ROOT);

/** Fixed image tags, so golden files do not change whenever a step's code does. */
export const GOLDEN_TAGS: Record<string, string> = Object.fromEntries(
  Object.keys(CATALOG).map((step) => [step, `airflow-ml-${step}:golden`]),
);

export function compileForTest(specs: SpecSource[]): CompileResult {
  return compile(specs, { catalog: CATALOG, imageTags: GOLDEN_TAGS });
}
