import { compileProject, STDIN_SPEC } from '../../../../cli/compiler/project';
import { ROOT } from '../../../support/compile-fixture';

/** `validate -`: one spec from standard input, named <stdin>, with the same size limit. */

const SPEC =
  'dag_id: piped\nschedule: "0 0 L * *"\nstart_date: "2026-01-01"\ntasks:\n  - id: w\n    sensor: { path: a }\n';

test('a spec from standard input compiles like a file, named <stdin>', () => {
  const limits: number[] = [];
  const result = compileProject({
    root: ROOT,
    files: ['-'],
    readStdin: (limit) => {
      limits.push(limit);
      return Buffer.from(SPEC);
    },
  });
  expect(result.diagnostics).toEqual([]);
  expect([...result.files.keys()]).toEqual(['piped.py']);
  expect(limits).toEqual([1024 * 1024 + 1]);
});

test('its problems are positioned in <stdin>', () => {
  const result = compileProject({
    root: ROOT,
    files: ['-'],
    readStdin: () => Buffer.from(SPEC.replace('L * *', '* * 1#6')),
  });
  expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}`)).toEqual([
    `${STDIN_SPEC}:2:21`,
  ]);
});

test('more than 1 MiB on standard input is refused, not parsed', () => {
  expect(() =>
    compileProject({
      root: ROOT,
      files: ['-'],
      readStdin: (limit) => Buffer.alloc(limit, 0x20),
    }),
  ).toThrow('<stdin>:1:1: the spec is 1048577 bytes; the limit is 1048576 bytes (1 MiB)');
});
