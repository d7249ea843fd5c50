import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  chooseExecutor,
  composeLayout,
  describeExecutor,
  LOCAL,
  recordExecutor,
  recordedExecutor,
  scaleArgs,
} from '../../../../cli/ops/stack/executor';
import { STACK_SECRETS } from '../../../../cli/ops/stack/secrets';

/** The executor choice: flags over the env file, recorded there, and what compose is given. */

test('LocalExecutor by default; --executor celery starts with 1 worker and no queue worker', () => {
  expect(chooseExecutor({}, {})).toEqual(LOCAL);
  const celery = chooseExecutor({ executor: 'celery' }, {});
  expect(celery).toEqual({ executor: 'celery', workers: 1, queues: [] });
  expect(composeLayout(celery)).toEqual({
    files: ['docker-compose.yml', 'docker-compose.celery.yml'],
    profiles: ['celery'],
  });
  expect(scaleArgs(celery)).toEqual([
    '--scale',
    'airflow-worker=1',
    '--scale',
    'airflow-queue-worker=0',
  ]);
  expect(composeLayout(LOCAL)).toEqual({ files: ['docker-compose.yml'], profiles: [] });
  expect(scaleArgs(LOCAL)).toEqual([]);
});

test('flags override what the env file recorded; unset flags keep it', () => {
  const env = {
    AIRFLOW_ML_EXECUTOR: 'celery',
    AIRFLOW_ML_WORKERS: '3',
    AIRFLOW_ML_WORKER_QUEUES: 'heavy',
  };
  expect(recordedExecutor(env)).toEqual({ executor: 'celery', workers: 3, queues: ['heavy'] });
  expect(chooseExecutor({ workers: '2' }, env)).toEqual({
    executor: 'celery',
    workers: 2,
    queues: ['heavy'],
  });
  const both = chooseExecutor({ queues: 'heavy, gpu,heavy' }, env);
  expect(both.queues).toEqual(['heavy', 'gpu']);
  expect(composeLayout(both).profiles).toEqual(['celery', 'celery-queues']);
  expect(scaleArgs(both)).toEqual([
    '--scale',
    'airflow-worker=3',
    '--scale',
    'airflow-queue-worker=1',
  ]);
  expect(describeExecutor(both)).toBe(
    'executor: celery, 3 workers (default queue) + 1 worker (heavy, gpu)',
  );
  expect(chooseExecutor({ queues: '' }, env).queues).toEqual([]);
  expect(chooseExecutor({ executor: 'local' }, env)).toEqual(LOCAL);
});

test('bad flags are usage errors that say what to do', () => {
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return [(e as Error).message, (e as { hint?: string }).hint];
    }
    return undefined;
  };
  expect(err(() => chooseExecutor({ executor: 'kubernetes' }, {}))).toEqual([
    '--executor must be local or celery, not "kubernetes"',
    undefined,
  ]);
  expect(err(() => chooseExecutor({ workers: '2' }, {}))).toEqual([
    '--workers needs Celery mode: the LocalExecutor runs every task in the scheduler',
    'add --executor celery',
  ]);
  expect(err(() => chooseExecutor({ executor: 'celery', workers: '0' }, {}))).toEqual([
    '--workers must be a whole number from 1 to 16, not "0"',
    undefined,
  ]);
  expect(err(() => chooseExecutor({ executor: 'celery', workers: '1.5' }, {}))?.[0]).toBe(
    '--workers must be a whole number from 1 to 16, not "1.5"',
  );
  expect(err(() => chooseExecutor({ executor: 'celery', queues: 'heavy,GPU' }, {}))).toEqual([
    '--queues: "GPU" is not a queue name (a lower-case letter, then up to 63 lower-case letters, digits, "-" or "_")',
    'name the queues as the specs do, comma-separated: --queues heavy,gpu',
  ]);
  expect(err(() => chooseExecutor({ executor: 'celery', queues: 'default' }, {}))).toEqual([
    '--queues: "default" is the default workers\' queue',
    'name only extra queues; --workers N sets the default workers',
  ]);
});

test('the choice is recorded in the env file, replacing the last one; local leaves a file that never named one alone', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-executor-'));
  const file = path.join(dir, '.env');
  fs.writeFileSync(file, '# mine\nAIRFLOW_PORT=8080\n');
  recordExecutor(file, LOCAL);
  expect(fs.readFileSync(file, 'utf8')).toBe('# mine\nAIRFLOW_PORT=8080\n');
  recordExecutor(file, { executor: 'celery', workers: 2, queues: ['heavy'] });
  expect(fs.readFileSync(file, 'utf8')).toBe(
    '# mine\nAIRFLOW_PORT=8080\nAIRFLOW_ML_EXECUTOR=celery\nAIRFLOW_ML_WORKERS=2\nAIRFLOW_ML_WORKER_QUEUES=heavy\n',
  );
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  recordExecutor(file, LOCAL);
  expect(fs.readFileSync(file, 'utf8')).toBe(
    '# mine\nAIRFLOW_PORT=8080\nAIRFLOW_ML_EXECUTOR=local\nAIRFLOW_ML_WORKERS=0\nAIRFLOW_ML_WORKER_QUEUES=\n',
  );
  fs.rmSync(dir, { recursive: true });
});

test("the broker's secret files: redis.conf's quoting and the URL's encoding", () => {
  const env = { REDIS_PASSWORD: 'a"b\\c d\nü/@' };
  expect(STACK_SECRETS.redis_conf(env)).toBe('requirepass "a\\x22b\\x5cc d\\x0aü/@"\n');
  expect(STACK_SECRETS.celery_broker_url(env)).toBe(
    'redis://:a%22b%5Cc%20d%0A%C3%BC%2F%40@redis:6379/0',
  );
});
