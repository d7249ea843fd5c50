import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './support/cli';

/** `-` as standard input, through the built CLI with a real pipe (no Airflow needed). */
const BIN = path.join(ROOT, 'dist', 'cli', 'bin.js');
const run = (args: string[], input: string) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8' });

test('validate - reads the spec piped in; --explain too', () => {
  const r = run(
    ['validate', '-', '--explain'],
    fs.readFileSync(path.join(ROOT, 'dag-specs', 'predict.yaml'), 'utf8'),
  );
  expect([r.status, r.stderr]).toEqual([0, '']);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines[0]).toBe('1 spec(s) valid');
  expect(lines[1]).toMatch(/^predict: "@daily" in UTC: next runs \d{4}-\d\d-\d\d 00:00 UTC, /);
});

test('validate - with a bad schedule: exit 3, positioned in <stdin>', () => {
  const spec =
    'dag_id: x\nschedule: "0 0 * * 1#6"\nstart_date: "2026-01-01"\ntasks:\n  - id: w\n    sensor: { path: a }\n';
  const r = run(['validate', '-'], spec);
  expect([r.status, r.stdout]).toEqual([3, '']);
  expect(r.stderr).toBe(
    'error: <stdin>:2:21: schedule: cron expression "0 0 * * 1#6": day of week field "1#6": "#6" is not in #1-#5\n  hint: examples: "@daily", "@weekly", "30 2 * * 1"\n',
  );
});
