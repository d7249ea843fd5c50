import { checkSchedule } from '../../../../cli/compiler/spec/schedule';
import { compileForTest } from '../../../support/compile-fixture';
import { nextRuns } from '../../../../cli/compiler/spec/cron';
import { runPythonJson, VENV_PYTHON } from '../../../support/python';

/**
 * The golden cron table, held to the Airflow venv's own croniter (through Airflow's cron
 * timetable, the check a DAG file's import runs): every expression marked "ok" passes both and
 * fires at the same three times; every "error" fails both; every "refused" is accepted by
 * croniter but refused here on purpose (cli/compiler/spec/cron.ts says why for each).
 */
type Verdict = 'ok' | 'error' | 'refused';
const TABLE: [string, Verdict][] = [
  // the three the issue names, and the classics
  ['0 0 L * *', 'ok'],
  ['0 0 * * 1#1', 'ok'],
  ['0 0 ? * *', 'ok'],
  ['30 2 * * mon-fri', 'ok'],
  ['*/15 * * * *', 'ok'],
  ['0 */6 * * *', 'ok'],
  ['0 9-17 * * 1-5', 'ok'],
  ['5 4 * * sun', 'ok'],
  ['0 0 1,15 * *', 'ok'],
  ['0 0 * * 7', 'ok'],
  ['0 0 * * 0-7', 'ok'],
  ['0 0 * * TUE-thu', 'ok'],
  ['0 0 * jan-mar *', 'ok'],
  ['0 0 * JAN-MAR/2 *', 'ok'],
  ['01 * * * *', 'ok'],
  ['0 0 * * 07', 'ok'],
  ['1/5 * * * *', 'ok'],
  ['*/61 * * * *', 'ok'],
  ['0 0 * * 1/2', 'ok'],
  ['0 0 * * mon/2', 'ok'],
  ['0 0 1-31/7 * *', 'ok'],
  // croniter's wrap-around ranges
  ['50-10/5 * * * *', 'ok'],
  ['0 0 * * fri-mon', 'ok'],
  ['0 0 * nov-feb *', 'ok'],
  ['0 0 * * 5-2', 'ok'],
  // L, W, #, ?
  ['0 0 L 2 *', 'ok'],
  ['0 0 1,L * *', 'ok'],
  ['0 0 L,15 * *', 'ok'],
  ['0 0 */5,L * *', 'ok'],
  ['0 0 15W * *', 'ok'],
  ['0 0 1W * *', 'ok'],
  ['0 0 31W * *', 'ok'],
  ['0 0 * * sun#1', 'ok'],
  ['0 0 * * 7#1', 'ok'],
  ['0 0 * * 0#5', 'ok'],
  ['0 0 * * 1#1,2#2', 'ok'],
  ['0 0 1 * ?', 'ok'],
  ['0 0 ? * ?', 'ok'],
  ['0 0 L * 1', 'ok'],
  ['0 0 1 * 1#1', 'ok'],
  // both day fields: either matches
  ['0 0 31 2 1', 'ok'],
  ['0 0 29 2 mon', 'ok'],
  ['0 0 29 2 *', 'ok'],
  ['0 0 31 1-12/2 *', 'ok'],
  // presets and seconds
  ['@daily', 'ok'],
  ['@midnight', 'ok'],
  ['@annually', 'ok'],
  ['@DAILY', 'ok'],
  ['@quarterly', 'ok'],
  ['0 0 * * * 30', 'ok'],
  ['0 0 * * * 0-59/15', 'ok'],
  [' 0 0 * * *', 'ok'],
  // what croniter refuses
  ['61 * * * *', 'error'],
  ['0 24 * * *', 'error'],
  ['0 0 0 * *', 'error'],
  ['0 0 * 0 *', 'error'],
  ['0 0 * 13 *', 'error'],
  ['0 0 * * 8', 'error'],
  ['-1 * * * *', 'error'],
  ['*/0 * * * *', 'error'],
  ['0 0 * * */0', 'error'],
  ['1,2,,3 * * * *', 'error'],
  ['0 0 * * ,1', 'error'],
  ['0 0 * * 1,', 'error'],
  ['1-2-3 * * * *', 'error'],
  ['1/2/3 * * * *', 'error'],
  ['*/ * * * *', 'error'],
  ['* /5 * * *', 'error'],
  ['a * * * *', 'error'],
  ['fri-mon * * * *', 'error'],
  ['0 0 jan * *', 'error'],
  ['* * * *', 'error'],
  ['0 0 1 1 1 1 1 1', 'error'],
  ['0 0 31 2 *', 'error'],
  ['0 0 30 2 *', 'error'],
  ['0 0 31 4 *', 'error'],
  ['0 0 * * 5L', 'error'],
  ['0 0 * * L', 'error'],
  ['0 0 * * 1L', 'error'],
  ['0 0 LW * *', 'error'],
  ['0 0 W * *', 'error'],
  ['0 0 L-2 * *', 'error'],
  ['0 0 0W * *', 'error'],
  ['0 0 32W * *', 'error'],
  ['0 0 5W,10 * *', 'error'],
  ['0 0 * * 1#6', 'error'],
  ['0 0 * * 1#0', 'error'],
  ['0 0 * * #1', 'error'],
  ['0 0 * * 1#', 'error'],
  ['0 0 * * 1#1#1', 'error'],
  ['0 0 * * mon#1,fri', 'error'],
  ['0 0 ? ? *', 'error'],
  ['0 0 3 ? *', 'error'],
  ['? * * * *', 'error'],
  ['0 0 * * * 60', 'error'],
  ['@reboot', 'error'],
  ['@every', 'error'],
  ['H * * * *', 'error'],
  ['0 0 1 1 * 0 2030', 'error'],
  // accepted by croniter, refused here on purpose
  ['R * * * *', 'refused'],
  ['0 R * * *', 'refused'],
  ['0 0 W5 * *', 'refused'],
  ['0 0 * * MON-FRI#2', 'refused'],
  ['0 0 * * * 0 *', 'refused'],
];

test('the golden table has at least 40 expressions, valid and invalid', () => {
  const count = (v: Verdict) => TABLE.filter(([, verdict]) => verdict === v).length;
  expect(TABLE.length).toBeGreaterThanOrEqual(40);
  expect(count('ok')).toBeGreaterThanOrEqual(20);
  expect(count('error')).toBeGreaterThanOrEqual(20);
  expect(new Set(TABLE.map(([e]) => e)).size).toBe(TABLE.length);
});

test("every expression: this compiler's verdict and times match the venv's croniter", () => {
  expect(VENV_PYTHON).toBeTruthy();
  const airflow = runPythonJson<{ expression: string; ok: boolean; next?: string[] }[]>(
    'croniter_verdicts.py',
    TABLE.map(([e]) => e),
    VENV_PYTHON,
  );
  const start = new Date('2026-01-01T00:00:00Z');
  const rows = TABLE.map(([expression], i) => {
    const accepted = checkSchedule(expression) === undefined;
    const ours = accepted
      ? nextRuns(expression, 'UTC', start, 3).map((d) => d.toISOString().slice(0, 19))
      : undefined;
    const theirs = airflow[i];
    return {
      expression,
      airflow: theirs.ok ? 'accepts' : 'refuses',
      us: accepted ? 'accepts' : 'refuses',
      sameTimes:
        theirs.ok && accepted ? JSON.stringify(ours) === JSON.stringify(theirs.next) : null,
      ...(theirs.ok && accepted && JSON.stringify(ours) !== JSON.stringify(theirs.next)
        ? { ours, theirs: theirs.next }
        : {}),
    };
  });
  expect(rows).toEqual(
    TABLE.map(([expression, verdict]) => ({
      expression,
      airflow: verdict === 'error' ? 'refuses' : 'accepts',
      us: verdict === 'ok' ? 'accepts' : 'refuses',
      sameTimes: verdict === 'ok' ? true : null,
    })),
  );
});

describe('a refused schedule points at the text at fault', () => {
  function problems(scheduleLine: string): string[] {
    const text = `dag_id: cron\n${scheduleLine}\nstart_date: "2026-01-01"\ntasks:\n  - id: w\n    sensor: { path: x }\n`;
    return compileForTest([{ path: 'cron.yaml', text }]).diagnostics.map(
      (d) => `${d.line}:${d.col}: ${d.message}`,
    );
  }

  test.each([
    ['schedule: "0 0 L * *"', []],
    ['schedule: "0 0 * * 1#1"', []],
    ['schedule: "0 0 ? * *"', []],
    [
      'schedule: "61 * * * *"',
      ['2:12: schedule: cron expression "61 * * * *": minute field "61": "61" is not in 0-59'],
    ],
    [
      'schedule: "0 0 * * 1#6"',
      [
        '2:21: schedule: cron expression "0 0 * * 1#6": day of week field "1#6": "#6" is not in #1-#5',
      ],
    ],
    [
      'schedule: "0 0 ? ? *"',
      [
        '2:18: schedule: cron expression "0 0 ? ? *": "?" is allowed only in the day-of-month and day-of-week fields',
      ],
    ],
    [
      "schedule: 'R * * * *'",
      [
        '2:12: schedule: cron expression "R * * * *": "R" (random) in minute field "R" would draw a new value each time Airflow parses the DAG; give a fixed value',
      ],
    ],
    [
      'schedule: 0 0 L-2 * *',
      [
        '2:15: schedule: cron expression "0 0 L-2 * *": "L" (the last day) stands alone in day of month field "L-2"',
      ],
    ],
    [
      'schedule: "0 0 31 2 *"',
      ['2:12: schedule: cron expression "0 0 31 2 *" never fires: no month it names has day 31'],
    ],
    [
      'schedule: "@fortnightly"',
      [
        '2:12: schedule: unknown schedule preset "@fortnightly"; use one of @once, @continuous, @hourly, @daily, @midnight, @weekly, @monthly, @quarterly, @yearly, @annually',
      ],
    ],
  ])('%s', (line, expected) => {
    expect(problems(line)).toEqual(expected);
  });
});
