import type { Diagnostic } from '../../base/errors';
import type { StepCatalog } from '../steps/contract';
import { parseSpec, type Position, type SpecPath } from './parse';
import { MAX_SPEC_BYTES } from './limits';
import { capDiagnostics } from './overflow';
import { schemaDiagnostics } from './schema-errors';
import { semanticDiagnostics, shapeFreeDiagnostics } from './semantic';
import type { PipelineSpec } from './types';

export interface ValidationResult {
  spec?: PipelineSpec;
  diagnostics: Diagnostic[];
  locate(path: SpecPath, key?: boolean): Position;
}

/**
 * YAML text -> a checked spec, or every problem found (up to a cap), each with file:line:col.
 * Bounded for untrusted input: oversized text is refused before parsing, and nesting deep
 * enough to exhaust the stack is a diagnostic, not a crash.
 */
export function validateSpec(file: string, text: string, catalog: StepCatalog): ValidationResult {
  const fallback = () => ({ line: 1, col: 1 });
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_SPEC_BYTES) {
    return { diagnostics: [tooLarge(file, size)], locate: fallback };
  }
  try {
    return checkSpec(file, text, catalog);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return {
      diagnostics: [
        {
          file,
          line: 1,
          col: 1,
          message: 'the spec is nested too deeply to read',
          hint: 'a pipeline spec needs a few levels of nesting; flatten it',
        },
      ],
      locate: fallback,
    };
  }
}

export function tooLarge(file: string, size: number): Diagnostic {
  return {
    file,
    line: 1,
    col: 1,
    message: `the spec is ${size} bytes; the limit is ${MAX_SPEC_BYTES} bytes (1 MiB)`,
    hint: 'split the pipeline into several specs',
  };
}

function checkSpec(file: string, text: string, catalog: StepCatalog): ValidationResult {
  const parsed = parseSpec(file, text);
  const fallback = () => ({ line: 1, col: 1 });
  if (!parsed.spec) {
    return { diagnostics: capDiagnostics(file, parsed.diagnostics), locate: fallback };
  }
  const { spec: doc } = parsed;
  if (doc.data === null || typeof doc.data !== 'object' || Array.isArray(doc.data)) {
    return {
      diagnostics: [
        {
          file,
          line: 1,
          col: 1,
          message: 'a spec must be a YAML mapping (dag_id: ..., tasks: ...)',
        },
      ],
      locate: doc.locate,
    };
  }
  const shapeFree = shapeFreeDiagnostics(doc, doc.data as Record<string, unknown>);
  const schemaProblems = schemaDiagnostics(doc);
  // The remaining checks assume the schema's shapes; run them only on schema-valid data.
  if (schemaProblems.length > 0) {
    return {
      diagnostics: capDiagnostics(file, [...schemaProblems, ...shapeFree]),
      locate: doc.locate,
    };
  }
  const spec = doc.data as PipelineSpec;
  const problems = [...shapeFree, ...semanticDiagnostics(doc, spec, catalog)];
  return problems.length > 0
    ? { diagnostics: capDiagnostics(file, problems), locate: doc.locate }
    : { spec, diagnostics: [], locate: doc.locate };
}
