import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../support/cli';

/**
 * The step reaper's decision (docker/stack/step-reaper.py `verdict`), case by case, in the
 * project's Airflow venv: which step containers it removes and why. The stack test
 * (recovery.test.ts) shows a removal end to end.
 */
const PYTHON = path.join(ROOT, '.venv-airflow', 'bin', 'python');

const CASES = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("reaper", sys.argv[1])
reaper = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reaper)
now = 1_000_000.0
labels = {"airflow-ml.try_number": "2"}
cases = {
    "young, task instance gone": reaper.verdict(labels, now - 5, None, now),
    "task instance gone": reaper.verdict(labels, now - 60, None, now),
    "an earlier try": reaper.verdict(labels, now - 60, ("running", 3), now),
    "no try label": reaper.verdict({}, now - 60, ("running", 1), now),
    "its try, failed": reaper.verdict(labels, now - 60, ("failed", 2), now),
    "its try, reset": reaper.verdict(labels, now - 60, (None, 2), now),
    "its try, up for retry": reaper.verdict(labels, now - 60, ("up_for_retry", 2), now),
    "its try, running": reaper.verdict(labels, now - 3600, ("running", 2), now),
    "key": reaper.task_instance_key({"airflow-ml.dag_id": "d", "airflow-ml.run_id": "r",
                                     "airflow-ml.task_id": "t", "airflow-ml.map_index": "-1"}),
    "key, bad map index": reaper.task_instance_key({"airflow-ml.dag_id": "d", "airflow-ml.run_id": "r",
                                                    "airflow-ml.task_id": "t", "airflow-ml.map_index": "x"}),
    "list query": reaper.LIST_PARAMS,
}
print(json.dumps(cases))
`;

test('removes a step container only when no task instance runs it any more, and says why', () => {
  const r = spawnSync(PYTHON, ['-c', CASES, path.join(ROOT, 'docker/stack/step-reaper.py')], {
    encoding: 'utf8',
    env: { ...process.env, AIRFLOW_ML_STACK_ID: 'airflow-ml' },
  });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({
    'young, task instance gone': null,
    'task instance gone': 'its task instance no longer exists',
    'an earlier try': 'it belongs to try 2 and the task instance is at try 3',
    'no try label': 'it belongs to try ? and the task instance is at try 1',
    'its try, failed': 'its task instance is failed',
    'its try, reset': 'its task instance is reset (no state)',
    'its try, up for retry': 'its task instance is up_for_retry',
    'its try, running': null,
    key: ['d', 'r', 't', -1],
    'key, bad map index': null,
    // Exactly what the socket proxy lets through (haproxy.cfg, r_list_steps).
    'list query': [
      ['all', '1'],
      ['filters', '{"label":["airflow-ml.step","airflow-ml.stack=airflow-ml"]}'],
    ],
  });
});
