import { stringify } from 'yaml';
import { compileForTest } from '../../../support/compile-fixture';

/**
 * Specs that Airflow would refuse at import (or that would crash the compiler) are refused
 * by the compiler, each with a positioned error that names the field.
 */
function problems(
  overrides: Record<string, unknown>,
  task: Record<string, unknown> = {},
): string[] {
  const spec = {
    dag_id: 'rejects',
    schedule: '@daily',
    start_date: '2026-01-01',
    tasks: [
      { id: 'wait', sensor: { path: 'in/{{ ds }}' } },
      { id: 'gen', step: 'generate', outputs: { data: 'a.csv', target: 'b.csv' }, ...task },
    ],
    ...overrides,
  };
  const result = compileForTest([{ path: 'rejects.yaml', text: stringify(spec) }]);
  return result.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
}

test('@continuous without max_active_runs: 1', () => {
  expect(problems({ schedule: '@continuous' })).toEqual([
    '2:11: schedule: "@continuous" needs max_active_runs: 1 (Airflow refuses the DAG otherwise)',
  ]);
  expect(problems({ schedule: '@continuous', max_active_runs: 1 })).toEqual([]);
});

test('a start date past year 9999 in UTC, or an offset beyond ±14:00', () => {
  expect(problems({ start_date: '9999-12-31T23:00:00-05:00' })).toEqual([
    '3:13: start_date: "9999-12-31T23:00:00-05:00" is outside the years 1 to 9999 in UTC',
  ]);
  expect(problems({ start_date: '2026-01-01T00:00:00+99:99' })).toEqual([
    '3:13: start_date: "2026-01-01T00:00:00+99:99" has the offset "+99:99"; offsets run from -14:00 to +14:00',
  ]);
  expect(problems({ start_date: '2026-01-01T00:00:00+14:00' })).toEqual([]);
});

test('durations over 365 days', () => {
  expect(problems({}, { retry_delay: '99999999999d', execution_timeout: 31_536_001 })).toEqual([
    '13:18: tasks[1].retry_delay: "99999999999d" is longer than 365 days',
    '14:24: tasks[1].execution_timeout: 31536001 is longer than 365 days',
  ]);
  expect(problems({}, { retry_delay: '365d' })).toEqual([]);
});

test('cron dates that never come', () => {
  expect(problems({ schedule: '0 0 31 2 *' })).toEqual([
    '2:11: schedule: cron expression "0 0 31 2 *" never fires: no month it names has day 31',
  ]);
  expect(problems({ schedule: '0 0 30,31 2,4 *' })).toEqual([]);
  expect(problems({ schedule: '0 0 31 4,6,9,11 *' })).toEqual([
    '2:11: schedule: cron expression "0 0 31 4,6,9,11 *" never fires: no month it names has day 31',
  ]);
  expect(problems({ schedule: '0 0 29 2 *' })).toEqual([]);
  // With a day of week too, cron fires on either: Airflow accepts it.
  expect(problems({ schedule: '0 0 31 2 1' })).toEqual([]);
});

test('steps and params named after Object.prototype members are unknown, not a crash', () => {
  expect(problems({}, { step: '__proto__' })).toEqual([
    '9:11: tasks[1].step: unknown step "__proto__"',
  ]);
  expect(problems({}, { step: 'toString' })).toEqual([
    '9:11: tasks[1].step: unknown step "toString"',
  ]);
  expect(problems({}, { params: { constructor: 1 } })).toEqual([
    '14:7: tasks[1].params.constructor: step "generate" has no parameter "constructor"',
  ]);
  expect(problems({}, { outputs: { data: 'a.csv', target: 'b.csv', toString: 'c' } })).toEqual([
    '13:7: tasks[1].outputs.toString: unknown output "toString"',
  ]);
});
