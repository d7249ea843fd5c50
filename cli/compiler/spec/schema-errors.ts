import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Diagnostic } from '../../base/errors';
import type { ParsedSpec, SpecPath } from './parse';
import { specSchema } from './schema';
import { MAX_DIAGNOSTICS_PER_SPEC } from './limits';
import { OVERFLOW } from './overflow';
import { didYouMean } from './suggest';

// Compiled on first use, not at import: commands that never read a spec start faster.
let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(specSchema);
  return compiled;
}

/** Validates against the JSON Schema; every error becomes a positioned diagnostic. */
export function schemaDiagnostics(parsed: ParsedSpec): Diagnostic[] {
  const validateSchema = schemaValidator();
  if (validateSchema(parsed.data)) return [];
  const errors = validateSchema.errors ?? [];
  // A failed oneOf (durations) also reports each branch's failure at the same path;
  // one message per path reads better.
  const oneOfPaths = new Set(
    errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath),
  );
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of errors) {
    if (oneOfPaths.has(error.instancePath) && error.keyword !== 'oneOf') continue;
    // Positions and suggestions cost time; past the cap, problems are only counted.
    if (diagnostics.length >= MAX_DIAGNOSTICS_PER_SPEC) {
      diagnostics.push(OVERFLOW);
      continue;
    }
    const d = toDiagnostic(parsed, error);
    const key = `${d.line}:${d.col}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      diagnostics.push(d);
    }
  }
  return diagnostics;
}

function toDiagnostic(parsed: ParsedSpec, error: ErrorObject): Diagnostic {
  const path = pointerToPath(error.instancePath);
  const where = (p: SpecPath, key = false) => ({ file: parsed.file, ...parsed.locate(p, key) });
  const parentSchema = error.parentSchema as {
    properties?: Record<string, unknown>;
    description?: string;
  };
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String((error.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys(parentSchema.properties ?? {});
      return {
        ...where([...path, name], true),
        message: `${label(path)}: unknown key "${name}"${didYouMean(name, known)}`,
        hint: known.length ? `allowed keys: ${known.join(', ')}` : undefined,
      };
    }
    case 'required': {
      const name = String((error.params as { missingProperty: string }).missingProperty);
      return { ...where(path), message: `${label(path)}: missing required key "${name}"` };
    }
    case 'propertyNames': {
      const name = String((error.params as { propertyName: string }).propertyName);
      return {
        ...where([...path, name], true),
        message: `${label(path)}: "${name}" is not a valid name (use upper-case letters, digits and underscores)`,
      };
    }
    case 'oneOf':
      return {
        ...where(path),
        message: `${label(path)}: must be ${parentSchema.description ?? 'one of the allowed forms'}`,
      };
    case 'pattern':
      return {
        ...where(path),
        message: `${label(path)}: ${JSON.stringify(error.data)} is not valid${parentSchema.description ? `: ${parentSchema.description}` : ''}`,
      };
    case 'enum':
      return {
        ...where(path),
        message: `${label(path)}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'type': {
      const type = (error.params as { type: string | string[] }).type;
      const types = (Array.isArray(type) ? type : String(type).split(',')).map((t) =>
        t === 'null' ? 'null' : `a ${t}`,
      );
      return { ...where(path), message: `${label(path)}: must be ${types.join(' or ')}` };
    }
    default:
      return { ...where(path), message: `${label(path)}: ${error.message ?? 'is invalid'}` };
  }
}

function pointerToPath(pointer: string): SpecPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
}

/** tasks[2].depends_on[0] — how a path reads in a message. */
export function label(path: SpecPath): string {
  if (path.length === 0) return 'spec';
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
