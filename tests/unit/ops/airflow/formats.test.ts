import { logicalDateForDay } from '../../../../cli/ops/airflow/logical-date';
import { formatLogMessage, tail } from '../../../../cli/ops/airflow/logs';
import {
  backoffDelay,
  isIdempotentMethod,
  isRetryableNetworkCode,
  isRetryableStatus,
} from '../../../../cli/ops/airflow/retry';
import { formatTable } from '../../../../cli/output/table';
import { parseVariablesFile, toVariablesFile } from '../../../../cli/ops/airflow/variables-file';
import { ConfigError, UsageError } from '../../../../cli/base/errors';

test('logical date: midnight UTC, timezone-aware; invalid days refused', () => {
  expect(logicalDateForDay('2024-03-05')).toBe('2024-03-05T00:00:00+00:00');
  expect(logicalDateForDay(undefined, new Date('2025-01-31T23:59:00Z'))).toBe(
    '2025-01-31T00:00:00+00:00',
  );
  for (const bad of ['2024-02-30', '2024-3-5', '05/03/2024', '2024-03-05T00:00']) {
    expect(() => logicalDateForDay(bad)).toThrow(UsageError);
  }
});

test('retry policy: refused/reset and 5xx only, by idempotency; doubling capped backoff', () => {
  const codes = ['ECONNREFUSED', 'EHOSTUNREACH', 'ECONNRESET', 'EPIPE', 'ENOTFOUND'];
  // [code, idempotent method (GET/PUT/DELETE), POST/PATCH]
  expect(
    codes.map((c) => [c, isRetryableNetworkCode(c, true), isRetryableNetworkCode(c, false)]),
  ).toEqual([
    ['ECONNREFUSED', true, true],
    ['EHOSTUNREACH', true, true],
    ['ECONNRESET', true, false],
    ['EPIPE', true, false],
    ['ENOTFOUND', false, false],
  ]);
  const statuses = [500, 503, 599, 400, 401, 404, 409, 422];
  expect(statuses.map((s) => [s, isRetryableStatus(s, true), isRetryableStatus(s, false)])).toEqual(
    [
      [500, true, false],
      [503, true, false],
      [599, true, false],
      [400, false, false],
      [401, false, false],
      [404, false, false],
      [409, false, false],
      [422, false, false],
    ],
  );
  expect(['GET', 'PUT', 'DELETE', 'POST', 'PATCH'].map(isIdempotentMethod)).toEqual([
    true,
    true,
    true,
    false,
    false,
  ]);
  const policy = { retries: 9, baseMs: 500, maxMs: 5000 };
  expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy))).toEqual([
    500, 1000, 2000, 4000, 5000,
  ]);
});

test('variables file: the shape of `airflow variables import/export`', () => {
  const parsed = parseVariablesFile(
    JSON.stringify({ A: 'text', B: { x: 1 }, C: 3, D: { value: 'v', description: 'why' } }),
    'vars.json',
  );
  expect(parsed).toEqual([
    { key: 'A', value: 'text' },
    { key: 'B', value: { x: 1 } },
    { key: 'C', value: 3 },
    { key: 'D', value: 'v', description: 'why' },
  ]);
  expect(() => parseVariablesFile('[1]', 'v.json')).toThrow(ConfigError);
  expect(() => parseVariablesFile('{', 'v.json')).toThrow(/not valid JSON/);

  const v = (key: string, value: string, description: string | null = null) => ({
    key,
    value,
    description,
    is_encrypted: true,
    team_name: null,
  });
  expect(
    toVariablesFile([
      v('Z', '"quoted"'),
      v('B', '{"x": 1}'),
      v('A', 'plain'),
      v('D', 'v', 'why'),
      v('N', '3'),
    ]),
  ).toEqual({
    A: 'plain',
    B: { x: 1 },
    D: { value: 'v', description: 'why' },
    N: 3,
    Z: '"quoted"',
  });
});

test('log lines: structured entries, exceptions, group markers, plain strings', () => {
  expect(formatLogMessage('a\nb')).toEqual(['a', 'b']);
  expect(formatLogMessage({ event: '::endgroup::' })).toEqual([]);
  expect(
    formatLogMessage({ event: '::group::Pre Execute', timestamp: 'T', level: 'info' }),
  ).toEqual(['T [info] Pre Execute']);
  expect(
    formatLogMessage({
      event: 'Task failed with exception',
      level: 'error',
      timestamp: 'T',
      error_detail: [
        {
          exc_type: 'RuntimeError',
          exc_value: 'boom',
          frames: [{ filename: 'd.py', lineno: 7, name: 'f' }],
        },
      ],
    }),
  ).toEqual([
    'T [error] Task failed with exception',
    '  File "d.py", line 7, in f',
    'RuntimeError: boom',
  ]);
  expect(tail(['1', '2', '3'], 2)).toEqual(['2', '3']);
});

test('table: aligned columns, no trailing spaces', () => {
  expect(
    formatTable(
      ['A', 'LONG'],
      [
        ['xyz', '1'],
        ['', ''],
      ],
    ),
  ).toBe('A    LONG\nxyz  1\n');
});
