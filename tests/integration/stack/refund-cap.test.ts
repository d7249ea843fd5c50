import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../support/cli';

/**
 * The stack's executor (docker/stack/airflow/config/airflow_ml_executor.py) with Airflow's
 * own Log model (the project venv, an in-memory SQLite database): a task instance orphaned by
 * a dead scheduler again and again is refunded 3 times, then its tries count; each refund is
 * one audit-log event. recovery.test.ts shows a refund in the running stack.
 */
test('refunds at most 3 tries of one task instance, one audit-log event each', () => {
  const r = spawnSync(
    path.join(ROOT, '.venv-airflow', 'bin', 'python'),
    [
      path.join(ROOT, 'tests', 'python', 'refund_cap.py'),
      path.join(ROOT, 'docker', 'stack', 'airflow', 'config'),
    ],
    { encoding: 'utf8', env: { ...process.env, AIRFLOW__CORE__LOAD_EXAMPLES: 'false' } },
  );
  const lastLine = r.stdout.trim().split('\n').pop() ?? '';
  expect({ code: r.status, json: lastLine.startsWith('{') }).toEqual({ code: 0, json: true });
  const event = (n: number, maxTries: number) => [
    'generate',
    n,
    { reason: 'its scheduler died', refund: n, max_tries: maxTries },
  ];
  expect(JSON.parse(lastLine)).toEqual({
    returned_same: true,
    // retries: 1 (max_tries 1); resets 1-3 are refunded, 4 and 5 are not.
    max_tries_after_each_reset: [2, 3, 4, 4, 4],
    events: [
      event(1, 2),
      event(2, 3),
      event(3, 4),
      ['other', 1, { reason: 'its scheduler died', refund: 1, max_tries: 2 }],
    ],
    event_name: 'airflow_ml.refunded_try',
  });
}, 60_000);
