import type { Diagnostic } from '../../base/errors';
import { MAX_DIAGNOSTICS_PER_SPEC } from './limits';

/** Stands for one problem past the cap; `capDiagnostics` counts and drops these. */
export const OVERFLOW: Diagnostic = Object.freeze({ file: '', line: 0, col: 0, message: '' });

/**
 * At most MAX_DIAGNOSTICS_PER_SPEC diagnostics in file order, then one line that counts the
 * rest, so the user knows the list is not complete.
 */
export function capDiagnostics(file: string, list: Diagnostic[]): Diagnostic[] {
  const real = list.filter((d) => d !== OVERFLOW);
  const sorted = real.sort(
    (a, b) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message),
  );
  const extra = list.length - MAX_DIAGNOSTICS_PER_SPEC;
  if (extra <= 0) return sorted;
  const shown = sorted.slice(0, MAX_DIAGNOSTICS_PER_SPEC);
  const last = shown[shown.length - 1];
  return [
    ...shown,
    {
      file,
      line: last.line,
      col: last.col,
      message: `${extra} more problem(s) in this spec are not shown (only the first ${MAX_DIAGNOSTICS_PER_SPEC} are)`,
      hint: 'fix these and compile again',
    },
  ];
}
