import type { Diagnostic } from '../errors';
import type { StepCatalog } from './manifest';
import { parseSpec, type Position, type SpecPath } from './parse';
import { schemaDiagnostics } from './schema-errors';
import { semanticDiagnostics, shapeFreeDiagnostics } from './semantic';
import type { PipelineSpec } from './types';

export interface ValidationResult {
  spec?: PipelineSpec;
  diagnostics: Diagnostic[];
  locate(path: SpecPath, key?: boolean): Position;
}

/** YAML text -> a checked spec, or every problem found, each with file:line:col. */
export function validateSpec(file: string, text: string, catalog: StepCatalog): ValidationResult {
  const parsed = parseSpec(file, text);
  const fallback = () => ({ line: 1, col: 1 });
  if (!parsed.spec) return { diagnostics: parsed.diagnostics, locate: fallback };
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
    return { diagnostics: sortDiagnostics([...schemaProblems, ...shapeFree]), locate: doc.locate };
  }
  const spec = doc.data as PipelineSpec;
  const problems = [...shapeFree, ...semanticDiagnostics(doc, spec, catalog)];
  return problems.length > 0
    ? { diagnostics: sortDiagnostics(problems), locate: doc.locate }
    : { spec, diagnostics: [], locate: doc.locate };
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message),
  );
}
