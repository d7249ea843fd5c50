import type { Diagnostic } from '../base/errors';
import { emitDagFile } from './emit/file';
import { buildPipeline } from './ir/build';
import type { Pipeline } from './ir/types';
import type { Runner } from './spec/types';
import type { StepCatalog } from './steps/contract';
import { validateSpec } from './spec/validate';

export interface SpecSource {
  /** Path as shown in diagnostics and the generated header, e.g. dag-specs/train_model.yaml. */
  path: string;
  text: string;
}

export interface CompileOptions {
  catalog: StepCatalog;
  imageTags: Record<string, string>;
  /** `compile --runner`: every spec's steps on this backend, whatever the spec says. */
  runner?: Runner;
}

export interface CompileResult {
  /** Output file name (<dag_id>.py) to content; empty when any spec is invalid. */
  files: Map<string, string>;
  /** The pipelines behind the files (the IR), for consumers that need more than the text. */
  pipelines: Pipeline[];
  diagnostics: Diagnostic[];
}

/**
 * specs -> { files, diagnostics }. Pure: it reads and writes nothing, so writing, --check and
 * tests are separate consumers. All specs are checked before anything is emitted, and one
 * invalid spec means no files at all (nothing is half-written).
 */
export function compile(specs: SpecSource[], options: CompileOptions): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const valid: {
    source: SpecSource;
    spec: NonNullable<ReturnType<typeof validateSpec>['spec']>;
  }[] = [];
  const owners = new Map<string, string>();
  for (const source of [...specs].sort((a, b) => a.path.localeCompare(b.path))) {
    const result = validateSpec(source.path, source.text, options.catalog);
    diagnostics.push(...result.diagnostics);
    if (!result.spec) continue;
    const owner = owners.get(result.spec.dag_id);
    if (owner !== undefined) {
      diagnostics.push({
        file: source.path,
        ...result.locate(['dag_id']),
        message: `dag_id: "${result.spec.dag_id}" is already used by ${owner}`,
        hint: 'every spec needs its own dag_id',
      });
      continue;
    }
    owners.set(result.spec.dag_id, source.path);
    valid.push({ source, spec: result.spec });
  }
  if (diagnostics.length > 0) return { files: new Map(), pipelines: [], diagnostics };

  const files = new Map<string, string>();
  const pipelines: Pipeline[] = [];
  for (const { source, spec } of valid) {
    const built = buildPipeline(spec, source.path, options.catalog);
    const pipeline = options.runner ? { ...built, runner: options.runner } : built;
    pipelines.push(pipeline);
    files.set(`${spec.dag_id}.py`, emitDagFile(pipeline, { imageTags: options.imageTags }));
  }
  return { files, pipelines, diagnostics };
}
