import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic } from '../../cli/base/errors';
import { compileForTest } from '../support/compile-fixture';

/**
 * One folder per case: cases/<name>/spec.yaml, or several specs compiled together in
 * cases/<name>/specs/*.yaml, beside expected/*.py (it compiles) or expected/stderr.txt (it
 * fails, with these diagnostics). UPDATE_GOLDEN=1 rewrites expected/.
 */
const CASES = path.join(__dirname, 'cases');
const update = process.env.UPDATE_GOLDEN === '1';

export function goldenCases(): string[] {
  return fs
    .readdirSync(CASES)
    .filter((d) => specFiles(d).length > 0)
    .sort();
}

/** A case's spec files, relative to the case folder, in compile order (by name). */
function specFiles(name: string): string[] {
  const dir = path.join(CASES, name);
  if (fs.existsSync(path.join(dir, 'spec.yaml'))) return ['spec.yaml'];
  const specs = path.join(dir, 'specs');
  if (!fs.existsSync(specs)) return [];
  return fs
    .readdirSync(specs)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `specs/${f}`);
}

describe.each(goldenCases())('golden case %s', (name) => {
  test('compiles to the expected output', () => {
    const dir = path.join(CASES, name);
    const expectedDir = path.join(dir, 'expected');
    const result = compileForTest(
      specFiles(name).map((rel) => ({
        path: `tests/golden/cases/${name}/${rel}`,
        text: fs.readFileSync(path.join(dir, rel), 'utf8'),
      })),
    );

    const actual = new Map<string, string>();
    if (result.diagnostics.length > 0) {
      expect(result.files.size).toBe(0);
      actual.set('stderr.txt', result.diagnostics.map(formatDiagnostic).join('\n') + '\n');
    } else {
      for (const [file, content] of result.files) actual.set(file, content);
    }

    if (update) {
      fs.rmSync(expectedDir, { recursive: true, force: true });
      fs.mkdirSync(expectedDir, { recursive: true });
      for (const [file, content] of actual) fs.writeFileSync(path.join(expectedDir, file), content);
    }
    const expectedFiles = fs.existsSync(expectedDir) ? fs.readdirSync(expectedDir).sort() : [];
    expect([...actual.keys()].sort()).toEqual(expectedFiles);
    for (const file of expectedFiles) {
      expect(actual.get(file)).toBe(fs.readFileSync(path.join(expectedDir, file), 'utf8'));
    }
  });
});

test('the corpus has at least 15 cases, failing ones included', () => {
  const cases = goldenCases();
  const failing = cases.filter((c) => fs.existsSync(path.join(CASES, c, 'expected', 'stderr.txt')));
  expect(cases.length).toBeGreaterThanOrEqual(15);
  expect(failing.length).toBeGreaterThanOrEqual(8);
});
