import * as path from 'node:path';
import { explainSchedule } from '../../../../cli/compiler/ir/explain';
import { compileForTest, ROOT } from '../../../support/compile-fixture';
import { runMain } from '../../../support/run-main';

/** `validate --explain`: each DAG's next three runs, in its own time zone. */

const NOW = new Date('2026-03-06T12:00:00Z'); // a Friday

function pipeline(text: string) {
  const result = compileForTest([{ path: 'x.yaml', text }]);
  expect(result.diagnostics).toEqual([]);
  return result.pipelines[0];
}

const spec = (schedule: string, start = '"2026-01-01"', tz = '') =>
  `dag_id: x\nschedule: ${schedule}\nstart_date: ${start}\n${tz}tasks:\n  - id: w\n    sensor: { path: a }\n`;

test.each([
  [
    spec('"30 2 * * mon-fri"', '"2026-02-28"', 'timezone: Europe/Moscow\n'),
    'x: "30 2 * * mon-fri" in Europe/Moscow: next runs 2026-03-09 02:30 GMT+3, 2026-03-10 02:30 GMT+3, 2026-03-11 02:30 GMT+3',
  ],
  [
    spec('"0 0 L * *"'),
    'x: "0 0 L * *" in UTC: next runs 2026-03-31 00:00 UTC, 2026-04-30 00:00 UTC, 2026-05-31 00:00 UTC',
  ],
  [
    spec('"0 9 * * 1#1"', '"2026-01-01"', 'timezone: America/New_York\n'),
    // 9:00 local on each first Monday, across the DST change of 2026-03-08.
    'x: "0 9 * * 1#1" in America/New_York: next runs 2026-04-06 09:00 GMT-4, 2026-05-04 09:00 GMT-4, 2026-06-01 09:00 GMT-4',
  ],
  [
    spec('"@daily"', '"2026-04-01"'),
    'x: "@daily" in UTC: next runs 2026-04-01 00:00 UTC, 2026-04-02 00:00 UTC, 2026-04-03 00:00 UTC',
  ],
  [spec('null'), 'x: no schedule in UTC: runs only when triggered'],
  [spec('"@once"', '"2026-04-01"'), 'x: "@once" in UTC: one run, at 2026-04-01 00:00 UTC'],
])('explain case %#', (text, expected) => {
  expect(explainSchedule(pipeline(text), NOW)).toBe(expected);
});

test('validate --explain prints one line per DAG after the count', async () => {
  const r = await runMain(
    'validate',
    path.join(ROOT, 'dag-specs', 'train_model.yaml'),
    '--explain',
  );
  expect(r.code).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines[0]).toBe('1 spec(s) valid');
  expect(lines[1]).toMatch(
    /^train_model: "@weekly" in UTC: next runs (\d{4}-\d\d-\d\d 00:00 UTC, ){2}\d{4}-\d\d-\d\d 00:00 UTC$/,
  );
  expect(lines).toHaveLength(2);
});
