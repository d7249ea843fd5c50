import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkGeneratedFiles, compileProject } from '../../cli/compiler/project';
import { ROOT, VENV_PYTHON } from '../support/python';

/**
 * Every generated DAG file (the shipped ones and every golden case) loads in a real Airflow 3.3
 * DagBag from the project venv, on the host: no scheduler container needed. The shipped DAGs'
 * structure is asserted task by task.
 */
interface TaskInfo {
  type: string;
  module: string;
  mro: string[];
  template_ext: string[];
  downstream: string[];
  has_on_failure_callback: boolean;
  fs_conn_id?: string;
  mode?: string;
  network_mode?: string;
  mount_tmp_dir?: boolean;
  auto_remove?: string;
}
interface DagInfo {
  schedule: string | null;
  tasks: Record<string, TaskInfo>;
}

const venvBin = path.dirname(VENV_PYTHON);
let work: string;
let bag: { import_errors: Record<string, string>; dags: Record<string, DagInfo> };

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-dagbag-'));
  const dags = path.join(work, 'dags');
  fs.mkdirSync(dags);
  for (const f of fs
    .readdirSync(path.join(ROOT, 'airflow', 'dags'))
    .filter((f) => f.endsWith('.py'))) {
    fs.copyFileSync(path.join(ROOT, 'airflow', 'dags', f), path.join(dags, f));
  }
  const cases = path.join(ROOT, 'tests', 'golden', 'cases');
  for (const c of fs.readdirSync(cases)) {
    const expected = path.join(cases, c, 'expected');
    for (const f of fs.existsSync(expected)
      ? fs.readdirSync(expected).filter((f) => f.endsWith('.py'))
      : []) {
      fs.copyFileSync(path.join(expected, f), path.join(dags, `golden_${f}`));
    }
  }
  const result = path.join(work, 'dagbag.json');
  execFileSync(
    VENV_PYTHON,
    [path.join(ROOT, 'tests', 'python', 'inspect_dagbag.py'), dags, result],
    {
      env: {
        ...process.env,
        AIRFLOW_HOME: path.join(work, 'home'),
        AIRFLOW__CORE__LOAD_EXAMPLES: 'false',
        AIRFLOW_ML_DATA_ROOT: '/srv/airflow-ml/data',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  bag = JSON.parse(fs.readFileSync(result, 'utf8'));
}, 180_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('the committed DAG files are what the specs compile to (compile --check)', () => {
  const result = compileProject({ root: ROOT });
  expect(result.diagnostics).toEqual([]);
  expect(checkGeneratedFiles(path.join(ROOT, 'airflow', 'dags'), result.files)).toEqual({
    stale: [],
    orphaned: [],
  });
});

test('every generated file loads with zero import errors', () => {
  expect(bag.import_errors).toEqual({});
  // A DAG file is named after its dag_id; a multi-spec case has several.
  const cases = path.join(ROOT, 'tests', 'golden', 'cases');
  const goldenPy = fs.readdirSync(cases).flatMap((c) => {
    const expected = path.join(cases, c, 'expected');
    return fs.existsSync(expected)
      ? fs
          .readdirSync(expected)
          .filter((f) => f.endsWith('.py'))
          .map((f) => f.slice(0, -3))
      : [];
  });
  expect(Object.keys(bag.dags).sort()).toEqual(
    [...goldenPy, 'generate_data', 'predict', 'train_model', 'train_model_gbm'].sort(),
  );
});

test('every generated file passes ruff check and ruff format --check, and py_compile', () => {
  const files = [
    ...fs
      .readdirSync(path.join(ROOT, 'airflow', 'dags'))
      .filter((f) => f.endsWith('.py'))
      .map((f) => path.join(ROOT, 'airflow', 'dags', f)),
  ];
  const golden = path.join(ROOT, 'tests', 'golden', 'cases');
  for (const c of fs.readdirSync(golden)) {
    const expected = path.join(golden, c, 'expected');
    if (fs.existsSync(expected))
      files.push(
        ...fs
          .readdirSync(expected)
          .filter((f) => f.endsWith('.py'))
          .map((f) => path.join(expected, f)),
      );
  }
  execFileSync(path.join(venvBin, 'ruff'), ['check', '--no-cache', ...files]);
  execFileSync(path.join(venvBin, 'ruff'), ['format', '--check', '--no-cache', ...files]);
  // compile() rather than py_compile, which would leave __pycache__ beside the golden files.
  execFileSync(VENV_PYTHON, [
    '-c',
    'import sys\nfor f in sys.argv[1:]: compile(open(f, encoding="utf-8").read(), f, "exec")',
    ...files,
  ]);
});

test.each([
  ['a missing data root', { AIRFLOW_ML_DATA_ROOT: '' }, /AIRFLOW_ML_DATA_ROOT is not set/],
  [
    'a root step user',
    { AIRFLOW_ML_STEP_USER: '0:0' },
    /AIRFLOW_ML_STEP_USER must be a numeric uid:gid other than root, not '0:0'/,
  ],
  [
    'uid 00, which Docker reads as root',
    { AIRFLOW_ML_STEP_USER: '00:0' },
    /AIRFLOW_ML_STEP_USER must be a numeric uid:gid other than root, not '00:0'/,
  ],
  [
    'a user name',
    { AIRFLOW_ML_STEP_USER: 'root' },
    /AIRFLOW_ML_STEP_USER must be a numeric uid:gid other than root, not 'root'/,
  ],
])('deploy-time settings: %s is an import error that says what to set', (_name, env, message) => {
  const result = path.join(work, 'bad-settings.json');
  execFileSync(
    VENV_PYTHON,
    [
      path.join(ROOT, 'tests', 'python', 'inspect_dagbag.py'),
      path.join(ROOT, 'airflow', 'dags'),
      result,
    ],
    {
      env: {
        ...process.env,
        AIRFLOW_HOME: path.join(work, 'home'),
        AIRFLOW__CORE__LOAD_EXAMPLES: 'false',
        AIRFLOW_ML_DATA_ROOT: '/srv/airflow-ml/data',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const bad = JSON.parse(fs.readFileSync(result, 'utf8')) as typeof bag;
  expect(Object.keys(bad.dags)).toEqual([]);
  const errors = Object.values(bad.import_errors);
  expect(errors).toHaveLength(4);
  for (const error of errors) expect(error).toMatch(message);
});

const EXPECTED: Record<
  string,
  { schedule: string | null; sensors: string[]; edges: Record<string, string[]> }
> = {
  generate_data: { schedule: '@daily', sensors: [], edges: { generate: [] } },
  train_model: {
    schedule: '@weekly',
    sensors: ['wait_for_data', 'wait_for_target'],
    edges: {
      wait_for_data: ['preprocess'],
      wait_for_target: ['preprocess'],
      preprocess: ['split'],
      split: ['train'],
      train: ['validate'],
      validate: ['promote'],
      promote: [],
    },
  },
  // On demand: the gradient-boosted comparison with train_model.
  train_model_gbm: {
    schedule: null,
    sensors: ['wait_for_data', 'wait_for_target'],
    edges: {
      wait_for_data: ['preprocess'],
      wait_for_target: ['preprocess'],
      preprocess: ['split'],
      split: ['train'],
      train: ['validate'],
      validate: ['promote'],
      promote: [],
    },
  },
  predict: {
    schedule: '@daily',
    sensors: ['wait_for_data', 'wait_for_model'],
    edges: { wait_for_data: ['predict'], wait_for_model: ['predict'], predict: [] },
  },
};

describe.each(Object.keys(EXPECTED))('shipped DAG %s', (dagId) => {
  const want = EXPECTED[dagId];
  test('task ids, downstream sets and schedule', () => {
    const dag = bag.dags[dagId];
    expect(dag.schedule).toBe(want.schedule);
    const edges = Object.fromEntries(
      Object.entries(dag.tasks).map(([id, t]) => [id, t.downstream]),
    );
    expect(edges).toEqual(want.edges);
  });
  test('DockerOperator for every non-sensor task, FileSensor on fs_default for sensors, failure callback everywhere', () => {
    for (const [id, task] of Object.entries(bag.dags[dagId].tasks)) {
      expect(task.has_on_failure_callback).toBe(true);
      if (want.sensors.includes(id)) {
        expect(task).toMatchObject({
          type: 'FileSensor',
          fs_conn_id: 'fs_default',
          mode: 'reschedule',
        });
        // The generated subclass (cli/compiler/emit/file-sensor.ts) of the provider's sensor.
        expect(task.mro.slice(1, 2)).toEqual([
          'airflow.providers.standard.sensors.filesystem.FileSensor',
        ]);
      } else {
        expect(task).toMatchObject({
          type: 'DockerOperator',
          network_mode: 'none',
          mount_tmp_dir: false,
          auto_remove: 'force',
        });
        // The generated subclass (cli/compiler/emit/step-operator.ts) of the provider's operator.
        expect(task.mro.slice(1, 2)).toEqual([
          'airflow.providers.docker.operators.docker.DockerOperator',
        ]);
        expect(task.template_ext).toEqual([]);
      }
    }
  });
});
