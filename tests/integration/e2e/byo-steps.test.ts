import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startAirflowStandalone, type AirflowStandalone } from '../support/airflow-standalone';
import { NODE_BASE, ROOT, type CliResult } from '../support/cli';
import { makeDataRoot } from '../support/data-root';

/**
 * Bring your own step, the way a user does it, in a copy of the project (the CLI works on the
 * checkout it belongs to): `step new` scaffolds a TypeScript step and a Python step, their own
 * unit tests pass as written, a new spec uses them beside a shipped step, `compile` writes its
 * DAG, `images build` builds them (base before steps), `step run` runs one as the DAG would,
 * and the DAG runs through a real Airflow scheduler to success.
 */
jest.setTimeout(20 * 60_000);

const DAY = '2026-04-06';
let project: string;
let dataRoot: string;
let stepUser: string;
let airflow: AirflowStandalone | undefined;

const SPEC = `dag_id: byo_steps
description: Your own steps beside a shipped one.
schedule: null
start_date: "2026-01-01"
tasks:
  - id: generate
    step: generate
    outputs: { data: "raw/{{ ds }}/data.csv", target: "raw/{{ ds }}/target.csv" }
    params: { rows: 500 }
  - id: count_ts
    step: byo-count
    depends_on: [generate]
    inputs: { data: "raw/{{ ds }}/data.csv" }
    outputs: { summary: "byo/{{ ds }}/ts.json" }
    params: { label: from-ts, scale: 0.5, strict: true }
  - id: count_py
    step: byo-py
    depends_on: [generate]
    inputs: { data: "raw/{{ ds }}/data.csv" }
    outputs: { summary: "byo/{{ ds }}/py.json" }
    params: { label: from-python, scale: 2 }
`;

/** The copy's own CLI, from the copy (as a user's checkout runs it). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(project, 'dist/cli/bin.js'), ...args], {
    cwd: project,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  const out = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  console.log(`$ airflow-ml ${args.join(' ')} -> exit ${out.code}\n${out.stdout}${out.stderr}`);
  return out;
}

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-byo-'));
  for (const rel of [
    'package.json',
    'tsconfig.json',
    'jest.config.js',
    'cli',
    'dist',
    'docker',
    'scripts',
    // jest.config.js names these (a reporter, the integration project's setup).
    'tests/support',
    'tests/integration/support',
  ]) {
    fs.cpSync(path.join(ROOT, rel), path.join(project, rel), { recursive: true });
  }
  fs.mkdirSync(path.join(project, 'dag-specs'));
  fs.copyFileSync(
    path.join(ROOT, 'dag-specs/step.schema.json'),
    path.join(project, 'dag-specs/step.schema.json'),
  );
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
  ({ dir: dataRoot, stepUser } = makeDataRoot('airflow-ml-byo-data-'));
});

afterAll(async () => {
  await airflow?.stop();
  for (const dir of [project, dataRoot]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('step new writes a TypeScript and a Python step, all or nothing', () => {
  const ts = cli(['step', 'new', 'byo-count', '--lang', 'ts']);
  expect([ts.code, ts.stdout]).toEqual([
    0,
    [
      'docker/steps/byo-count/fixture/data.csv',
      'docker/steps/byo-count/main.test.ts',
      'docker/steps/byo-count/main.ts',
      'docker/steps/byo-count/step.yaml',
    ]
      .map((f) => `wrote ${f}\n`)
      .join(''),
  ]);
  const py = cli(['step', 'new', 'byo-py', '--lang', 'python']);
  expect(py.code).toBe(0);
  expect(fs.readdirSync(path.join(project, 'docker/steps/byo-py')).sort()).toEqual([
    'Dockerfile',
    'fixture',
    'main.py',
    'step.yaml',
    'test_main.py',
  ]);
  const again = cli(['step', 'new', 'byo-py', '--lang', 'ts']);
  expect([again.code, again.stderr]).toEqual([
    2,
    'error: docker/steps/byo-py already exists (a step: docker/steps/byo-py/step.yaml)\nhint: choose another name, or remove the folder first\n',
  ]);
});

test("the TypeScript step's own unit test passes as written", () => {
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/jest/bin/jest.js'),
      'docker/steps/byo-count',
      '--rootDir',
      project,
      '--selectProjects',
      'unit',
      // An array flag goes last, after the path.
      '--reporters=default',
    ],
    { cwd: project, encoding: 'utf8', timeout: 10 * 60_000 },
  );
  console.log(r.stdout, r.stderr);
  expect(r.status).toBe(0);
  expect(r.stderr).toContain('Tests:       1 passed, 1 total');
});

test('a spec uses both; compile, images build (base first), and the Python unit test in its image', () => {
  fs.writeFileSync(path.join(project, 'dag-specs/byo_steps.yaml'), SPEC);
  expect(cli(['compile']).code).toBe(0);
  // A change inside a user step's folder re-tags that step, so compile --check sees it.
  const main = path.join(project, 'docker/steps/byo-py/main.py');
  fs.appendFileSync(main, '# touched\n');
  const stale = cli(['compile', '--check']);
  expect([stale.code, stale.stderr.split('\n')[0]]).toEqual([
    1,
    'error: generated DAG files are stale in airflow/dags: byo_steps.py',
  ]);
  expect(cli(['compile']).code).toBe(0);
  const dag = fs.readFileSync(path.join(project, 'airflow/dags/byo_steps.py'), 'utf8');
  const tags = JSON.parse(cli(['images', 'tags', '--json']).stdout) as {
    step: string;
    image: string;
  }[];
  const image = Object.fromEntries(tags.map((t) => [t.step, t.image]));
  expect(dag).toContain(`image="${image['byo-count']}"`);
  expect(dag).toContain(`image="${image['byo-py']}"`);

  // Left by an earlier run of this test (the same sources, the same tags): built anew here.
  spawnSync('docker', ['rmi', '--force', image['byo-count'], image['byo-py']]);
  const built = cli(['images', 'build', '--base-image', NODE_BASE]);
  expect(built.code).toBe(0);
  const order = built.stderr
    .split('\n')
    .filter((l) => /^\[\d+\/\d+\] /.test(l) && l.includes(': '));
  expect(order[0]).toMatch(/^\[1\/\d+\] airflow-ml-base:/);
  const status = (tag: string) =>
    built.stdout
      .split('\n')
      .find((l) => l.startsWith(`${tag} `))
      ?.split(/\s+/)[1];
  expect([status(image['byo-count']), status(image['byo-py'])]).toEqual(['built', 'built']);

  const unit = spawnSync(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'python',
      image['byo-py'],
      '-m',
      'unittest',
      'discover',
      '-s',
      '/app',
    ],
    { encoding: 'utf8' },
  );
  console.log(unit.stdout, unit.stderr);
  expect([unit.status, unit.stderr.trim().split('\n').pop()]).toEqual([0, 'OK']);
});

test('step run runs the Python step as the DAG would; a bad param fails before any container', () => {
  fs.mkdirSync(path.join(dataRoot, 'in'));
  fs.writeFileSync(path.join(dataRoot, 'in/data.csv'), 'a,b\n1,2\n');
  fs.chmodSync(path.join(dataRoot, 'in'), 0o777);
  const args = ['step', 'run', 'byo-py', '--data-root', dataRoot, '--user', stepUser, '--ds', DAY];
  const io = ['--input', 'data=in/data.csv', '--output', 'summary=out/py.json'];
  const ok = cli([...args, ...io, '--param', 'label=by-hand']);
  expect([ok.code, ok.stdout]).toEqual([0, 'byo-py: 1 rows; wrote /data/out/py.json\n']);
  expect(JSON.parse(fs.readFileSync(path.join(dataRoot, 'out/py.json'), 'utf8'))).toEqual({
    ds: DAY,
    label: 'by-hand',
    columns: ['a', 'b'],
    rows: 1,
    scaled: 1,
  });
  const bad = cli([...args, ...io, '--param', 'scale=lots']);
  expect([bad.code, bad.stderr]).toEqual([
    2,
    'error: --param scale: must be a number (got "lots")\n',
  ]);
});

test('the DAG runs through the real scheduler to success', async () => {
  airflow = await startAirflowStandalone({
    env: { AIRFLOW_ML_DATA_ROOT: dataRoot, AIRFLOW_ML_STEP_USER: stepUser },
    config: { 'scheduler.use_job_schedule': 'False' },
    components: ['scheduler', 'dag-processor'],
    log: (line) => console.log(`[airflow] ${line}`),
  });
  const env = {
    AIRFLOW_URL: airflow.url,
    AIRFLOW_USERNAME: airflow.username,
    AIRFLOW_PASSWORD: airflow.password,
  };
  const flags = ['--dags-folder', airflow.dagsFolder, '--data-root', dataRoot];
  expect(cli(['deploy', ...flags, '--parse-timeout', '300'], env).code).toBe(0);
  const run = cli(['trigger', 'byo_steps', '--date', DAY, '--wait', '--timeout', '600'], env);
  expect(run.code).toBe(0);
  const summary = (name: string) =>
    JSON.parse(fs.readFileSync(path.join(dataRoot, 'byo', DAY, name), 'utf8')) as unknown;
  const columns = [
    'age',
    'region',
    'plan',
    'income',
    'tenure_months',
    'monthly_spend',
    'support_calls',
  ];
  expect(summary('ts.json')).toEqual({
    ds: DAY,
    label: 'from-ts',
    columns,
    rows: 500,
    scaled: 250,
  });
  expect(summary('py.json')).toEqual({
    ds: DAY,
    label: 'from-python',
    columns,
    rows: 500,
    scaled: 1000,
  });
});
