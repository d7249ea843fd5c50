import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic } from '../../cli/errors';
import { compileForTest } from '../support/compile-fixture';

/**
 * One folder per case: cases/<name>/spec.yaml beside expected/*.py (it compiles) or
 * expected/stderr.txt (it fails, with these diagnostics). UPDATE_GOLDEN=1 rewrites expected/.
 */
const CASES = path.join(__dirname, 'cases');
const update = process.env.UPDATE_GOLDEN === '1';

export function goldenCases(): string[] {
  return fs
    .readdirSync(CASES)
    .filter((d) => fs.existsSync(path.join(CASES, d, 'spec.yaml')))
    .sort();
}

describe.each(goldenCases())('golden case %s', (name) => {
  test('compiles to the expected output', () => {
    const dir = path.join(CASES, name);
    const expectedDir = path.join(dir, 'expected');
    const specPath = `tests/golden/cases/${name}/spec.yaml`;
    const result = compileForTest([
      { path: specPath, text: fs.readFileSync(path.join(dir, 'spec.yaml'), 'utf8') },
    ]);

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
