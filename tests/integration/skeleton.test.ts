import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeDataRoot } from './support/data-root';
import { NODE_BASE, ROOT, runCli } from './support/cli';

/**
 * The walking skeleton: a one-task spec compiled by the CLI, run by real Airflow 3.3
 * (`airflow dags test`, from the project venv) whose DockerOperator starts the real `generate`
 * step image on the real Docker Engine, which writes into the data root.
 */
const AIRFLOW = path.join(ROOT, '.venv-airflow', 'bin', 'airflow');

test('skeleton DAG runs in real Airflow and its container writes the expected files', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-skeleton-'));
  const dags = path.join(work, 'dags');
  const { dir: dataRoot, stepUser } = makeDataRoot();

  const compiled = runCli([
    'compile',
    '--specs',
    path.join(ROOT, 'tests/integration/fixtures/skeleton'),
    '--out',
    dags,
  ]);
  expect(compiled.stderr).toBe('');
  expect(compiled.code).toBe(0);
  expect(fs.readdirSync(dags)).toEqual(['skeleton.py']);

  const built = runCli(['images', 'build', '--base-image', NODE_BASE]);
  if (built.code !== 0) throw new Error(`images build failed:\n${built.stdout}\n${built.stderr}`);

  const env = {
    ...process.env,
    AIRFLOW_HOME: path.join(work, 'home'),
    AIRFLOW__CORE__DAGS_FOLDER: dags,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'false',
    AIRFLOW_ML_DATA_ROOT: dataRoot,
    AIRFLOW_ML_STEP_USER: stepUser,
  };
  const migrate = spawnSync(AIRFLOW, ['db', 'migrate'], {
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  expect(migrate.status).toBe(0);
  const run = spawnSync(AIRFLOW, ['dags', 'test', 'skeleton', '2026-01-02'], {
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const log = `${run.stdout}\n${run.stderr}`;
  // Show the evidence in the CI log: the DockerOperator's container output and the final state.
  const evidence = log
    .split('\n')
    .filter((l) => /docker|generate|state|wrote|rows/i.test(l))
    .slice(-15);
  console.log(`airflow dags test skeleton (exit ${run.status}):\n${evidence.join('\n')}`);
  expect(run.status).toBe(0);
  expect(log).toMatch(/DagRun Finished: .*state=success/);

  const data = fs
    .readFileSync(path.join(dataRoot, 'skeleton/2026-01-02/data.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  const target = fs
    .readFileSync(path.join(dataRoot, 'skeleton/2026-01-02/target.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  expect(data).toHaveLength(26);
  expect(target).toEqual(['target', ...target.slice(1)]);
  expect(target).toHaveLength(26);
  expect(target.slice(1).filter((v) => v !== '0' && v !== '1')).toEqual([]);
  console.log(
    `skeleton wrote ${dataRoot}/skeleton/2026-01-02/data.csv: ${data.length - 1} rows, header ${data[0]}`,
  );
  fs.rmSync(work, { recursive: true, force: true });
}, 600_000);
