import fc from 'fast-check';
import { stringify } from 'yaml';
import { compileForTest } from '../../support/compile-fixture';
import { runPythonJson } from '../../support/python';

/**
 * Property: any string a user puts in a spec either compiles to Python whose literal equals it
 * exactly (checked by Python's own `ast`), with the module's structure unchanged, or is
 * rejected with a positioned error. No input may change the generated code's shape.
 */
const FRAGMENTS = [
  '"',
  "'",
  '"""',
  "'''",
  '\\',
  '\n',
  '\r',
  '\0',
  '\t',
  '{{',
  '}}',
  '{%',
  '%}',
  '{#',
  '{{ ds }}',
  '{{ var.value.X }}',
  '");import os;os.system("id")#',
  '\u2028',
  'é',
  '🚀',
  '\ud800',
  '$(',
  '`',
];

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 5 })), {
      minLength: 1,
      maxLength: 8,
    })
    .map((p) => p.join('')),
);

function specFor(value: string): string {
  return stringify({
    dag_id: 'hostile',
    description: value,
    schedule: '@daily',
    start_date: '2026-01-01',
    tags: [value.length > 0 && value.length <= 100 ? value : 'x'],
    tasks: [
      { id: 'wait', sensor: { path: `in/${value}` } },
      {
        id: 'generate',
        step: 'generate',
        depends_on: ['wait'],
        outputs: { data: 'a.csv', target: 'b.csv' },
        environment: { VALUE: value },
      },
    ],
  });
}

test('1,000+ hostile strings: exact literals or clear rejections, zero injections', () => {
  const samples = fc.sample(hostile, { numRuns: 1200, seed: 20261126 });
  const compiled: { value: string; source: string }[] = [];
  let rejected = 0;
  for (const value of samples) {
    const result = compileForTest([{ path: 'hostile.yaml', text: specFor(value) }]);
    if (result.diagnostics.length > 0) {
      rejected++;
      for (const d of result.diagnostics) {
        expect(d.file).toBe('hostile.yaml');
        expect(d.line).toBeGreaterThan(0);
        expect(d.message).toMatch(/^(tasks|tags|description)\S*: /);
      }
      continue;
    }
    compiled.push({ value, source: result.files.get('hostile.py') as string });
  }
  const parsed = runPythonJson<{ shape: string; values: Record<string, unknown> }[]>(
    'extract_literals.py',
    compiled.map((c) => c.source),
  );
  const shapes = new Set(parsed.map((p) => p.shape));
  expect(shapes.size).toBe(1);
  parsed.forEach((p, i) => {
    const { value } = compiled[i];
    expect(p.values.description).toBe(value);
    expect((p.values.environment as Record<string, string>).VALUE).toBe(value);
    expect(p.values.filepath).toBe(`in/${value}`);
  });
  // Both outcomes must really occur, or the property says nothing.
  expect(compiled.length).toBeGreaterThan(300);
  expect(rejected).toBeGreaterThan(50);
  expect(samples.length).toBeGreaterThanOrEqual(1000);
});
