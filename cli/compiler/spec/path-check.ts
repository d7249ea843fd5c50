import type { SpecPath } from './parse';
import type { Report } from './report';
import { checkTemplate, withoutTemplates } from './templates';

/** Logical paths stay inside the data root: relative, no "..", no empty segments. */
export function checkPath(value: string, at: SpecPath, report: Report): void {
  const problem = checkTemplate(value);
  if (problem) {
    report(at, problem);
    return;
  }
  const plain = withoutTemplates(value);
  if (plain.startsWith('/') || /^[A-Za-z]:/.test(plain)) {
    report(
      at,
      `path "${value}" is absolute; paths are relative to the data root`,
      'write e.g. "raw/{{ ds }}/data.csv"',
    );
  } else if (plain.split('/').some((s) => s === '..' || s === '.')) {
    report(at, `path "${value}" leaves the data root (".." or "." segment)`);
    // Control characters are exactly what this check is for.
    // eslint-disable-next-line no-control-regex
  } else if (/[\\\u0000-\u001f\u007f]/.test(plain) || plain.split('/').some((s) => s === '')) {
    report(
      at,
      `path "${value}" is not a clean relative path (backslash, control character or empty segment)`,
    );
  }
}
