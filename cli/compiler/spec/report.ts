import type { Diagnostic } from '../../base/errors';
import { MAX_DIAGNOSTICS_PER_SPEC } from './limits';
import { OVERFLOW } from './overflow';
import type { ParsedSpec, SpecPath } from './parse';
import { label } from './schema-errors';

/** A message, or a function that builds one: suggestions are computed only when reported. */
export type Message = string | (() => string);
/** `offset`: a character inside the string value at `path` that the problem is about. */
export type Report = (
  path: SpecPath,
  message: Message,
  hint?: string,
  key?: boolean,
  offset?: number,
) => void;

/**
 * Collects diagnostics into `out`. Past MAX_DIAGNOSTICS_PER_SPEC it only counts them, so
 * neither positions nor suggestions are computed for a flood of problems (validateSpec
 * reports the count).
 */
export function reporter(parsed: ParsedSpec, out: Diagnostic[]): Report {
  return (path, message, hint, key = false, offset) => {
    if (out.length >= MAX_DIAGNOSTICS_PER_SPEC) {
      out.push(OVERFLOW);
      return;
    }
    out.push({
      file: parsed.file,
      ...(offset === undefined ? parsed.locate(path, key) : parsed.locateIn(path, offset)),
      message: `${label(path)}: ${typeof message === 'string' ? message : message()}`,
      hint,
    });
  };
}
