import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startAirflowStandalone, type AirflowStandalone } from '../support/airflow-standalone';
import { NODE_BASE, ROOT, runCli, runCliAsync, type CliResult } from '../support/cli';
import { makeDataRoot } from '../support/data-root';
import { DockerEventsWatcher } from '../support/docker-events';
import { simpleParser, type ParsedMail } from 'mailparser';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

/**
 * End to end, the way a user runs it: a real Airflow 3.3 (api-server, scheduler with
 * LocalExecutor, dag-processor, triggerer) on 127.0.0.1, the CLI builds the images and
 * deploys, runs go through the scheduler, every task runs in a real container, and failure
 * alerts reach a real SMTP server on loopback.
 */
jest.setTimeout(20 * 60_000);

const DAY = '2026-03-02';
const NEXT_DAY = '2026-03-03';
const ROWS = 20_000; // dag-specs/generate_data.yaml
const SMTP_PASSWORD = `smtp-${Math.random().toString(36).slice(2)}-secret`;

let airflow: AirflowStandalone;
let smtp: SmtpSink;
let events: DockerEventsWatcher;
let dataRoot: string;
let work: string;
let cliEnv: NodeJS.ProcessEnv;
const timings: string[] = [];

interface Run {
  dag_run_id: string;
  state: string;
  queued_at?: string;
  start_date?: string;
  end_date?: string;
}
interface TaskInstance {
  task_id: string;
  state: string;
  try_number: number;
  start_date?: string;
  end_date?: string;
  duration?: number;
}

beforeAll(async () => {
  const t0 = Date.now();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-e2e-'));
  const root = makeDataRoot('airflow-ml-e2e-data-');
  dataRoot = root.dir;
  smtp = await startSmtpSink({ user: 'alerts@example.com', password: SMTP_PASSWORD });
  events = new DockerEventsWatcher();
  events.start();

  const built = runCli(['images', 'build', '--base-image', NODE_BASE]);
  if (built.code !== 0) throw new Error(`images build failed:\n${built.stdout}\n${built.stderr}`);

  airflow = await startAirflowStandalone({
    env: { AIRFLOW_ML_DATA_ROOT: dataRoot, AIRFLOW_ML_STEP_USER: root.stepUser },
    // Runs come only from triggers here: scheduled runs of the shipped @daily/@weekly DAGs
    // (max_active_runs=1) would otherwise sit in front of the triggered ones.
    config: { 'scheduler.use_job_schedule': 'False', 'core.parallelism': '2' },
    log: (line) => console.log(`[airflow] ${line}`),
  });
  cliEnv = {
    AIRFLOW_URL: airflow.url,
    AIRFLOW_USERNAME: airflow.username,
    AIRFLOW_PASSWORD: airflow.password,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_USER: 'alerts@example.com',
    SMTP_PASSWORD,
    SMTP_FROM: 'airflow-ml@example.com',
    SMTP_STARTTLS: 'false',
    SMTP_SSL: 'false',
  };
  timings.push(`setup (images, Airflow start): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 15 * 60_000);

afterAll(async () => {
  events?.stop();
  await airflow?.stop();
  await smtp?.close();
  console.log(`e2e timings:\n  ${timings.join('\n  ')}`);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function cli(args: string[], timeoutMs = 15 * 60_000): Promise<CliResult> {
  const r = await runCliAsync(args, cliEnv, timeoutMs);
  console.log(
    `$ airflow-ml ${args.join(' ')}  -> exit ${r.code}\n${r.stdout}${r.stderr}`.trimEnd(),
  );
  return r;
}

async function lastRun(dagId: string): Promise<Run> {
  const { data } = await airflow.api<{ dag_runs: Run[] }>(
    'GET',
    `/api/v2/dags/${dagId}/dagRuns?order_by=-start_date&limit=1`,
  );
  return data.dag_runs[0];
}

async function taskInstances(dagId: string, runId: string): Promise<TaskInstance[]> {
  const { data } = await airflow.api<{ task_instances: TaskInstance[] }>(
    'GET',
    `/api/v2/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances`,
  );
  return data.task_instances;
}

/** Prints the run's state, each task's state/try/duration, and the containers' exit codes. */
async function report(
  dagId: string,
  sinceMs: number,
): Promise<{ run: Run; tasks: TaskInstance[] }> {
  const run = await lastRun(dagId);
  const tasks = await taskInstances(dagId, run.dag_run_id);
  const firstStart = Math.min(
    ...tasks.filter((t) => t.start_date).map((t) => Date.parse(t.start_date as string)),
  );
  const lines = [
    `run ${dagId} ${run.dag_run_id}: state=${run.state}`,
    `  trigger -> first task start: ${((firstStart - sinceMs) / 1000).toFixed(1)} s`,
    ...tasks.map(
      (t) =>
        `  task ${t.task_id}: ${t.state}, try ${t.try_number}, ${t.duration?.toFixed(1) ?? '?'} s`,
    ),
    ...events
      .since(sinceMs)
      .map(
        (e) =>
          `  container ${e.image}: exit ${e.exitCode}, ran ${e.startedAt ? ((e.diedAt - e.startedAt) / 1000).toFixed(1) : '?'} s`,
      ),
  ];
  console.log(lines.join('\n'));
  timings.push(lines[0], lines[1], ...lines.slice(2).filter((l) => l.includes('container')));
  return { run, tasks };
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const lines = (file: string) => fs.readFileSync(file, 'utf8').trimEnd().split('\n');

test('deploy: the shipped DAGs and the failure fixtures parse and are unpaused', async () => {
  const specs = path.join(work, 'specs');
  fs.mkdirSync(specs);
  for (const dir of [
    path.join(ROOT, 'dag-specs'),
    path.join(ROOT, 'tests/integration/fixtures/e2e'),
  ]) {
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')))
      fs.copyFileSync(path.join(dir, f), path.join(specs, f));
  }
  const r = await cli([
    'deploy',
    '--specs',
    specs,
    '--dags-folder',
    airflow.dagsFolder,
    '--data-root',
    dataRoot,
    '--parse-timeout',
    '300',
  ]);
  expect(r.code).toBe(0);
  const { data } = await airflow.api<{
    dags: { dag_id: string; is_paused: boolean; has_import_errors: boolean }[];
  }>('GET', '/api/v2/dags');
  const ids = [
    'e2e_corrupt_input',
    'e2e_missing_input',
    'e2e_retry',
    'e2e_worse_model',
    'generate_data',
    'predict',
    'train_model',
    'train_model_gbm',
  ];
  // Each DAG by name, so a failure shows which one is paused or broken.
  expect(
    data.dags
      .map((d) => [d.dag_id, { paused: d.is_paused, importErrors: d.has_import_errors }] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  ).toEqual(ids.map((id) => [id, { paused: false, importErrors: false }]));
});

test('generate_data writes raw/<date>/data.csv and target.csv, byte-identical on a re-run', async () => {
  const since = Date.now();
  const r = await cli(['trigger', 'generate_data', '--date', DAY, '--wait', '--timeout', '600']);
  expect(r.code).toBe(0);
  const { run } = await report('generate_data', since);
  expect(run.state).toBe('success');
  const data = path.join(dataRoot, 'raw', DAY, 'data.csv');
  const target = path.join(dataRoot, 'raw', DAY, 'target.csv');
  expect(lines(data)).toHaveLength(ROWS + 1);
  expect(lines(data)[0]).toBe('age,region,plan,income,tenure_months,monthly_spend,support_calls');
  expect(lines(target)).toHaveLength(ROWS + 1);
  expect(lines(target)[0]).toBe('target');
  const before = [sha256(data), sha256(target)];

  // Re-run the same logical date (clear the run) and compare bytes.
  fs.rmSync(path.join(dataRoot, 'raw', DAY), { recursive: true });
  const cleared = await airflow.api('POST', '/api/v2/dags/generate_data/clearTaskInstances', {
    dag_run_id: run.dag_run_id,
    only_failed: false,
    reset_dag_runs: true,
    dry_run: false,
  });
  expect(cleared.status).toBe(200);
  await waitFor(
    async () => fs.existsSync(target) && (await lastRun('generate_data')).state === 'success',
    300_000,
  );
  expect([sha256(data), sha256(target)]).toEqual(before);
});

/** models/<DAY>/<run id> of a train run, and its files. */
const modelDir = (version: string) => path.join(dataRoot, 'models', DAY, version);
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
let firstModel: string;

test('train_model: sensors pass, five stages in their own containers, the model promoted', async () => {
  const since = Date.now();
  const r = await cli(['trigger', 'train_model', '--date', DAY, '--wait', '--timeout', '900']);
  expect(r.code).toBe(0);
  const { run, tasks } = await report('train_model', since);
  expect(run.state).toBe('success');
  expect(Object.fromEntries(tasks.map((t) => [t.task_id, t.state]))).toEqual({
    wait_for_data: 'success',
    wait_for_target: 'success',
    preprocess: 'success',
    split: 'success',
    train: 'success',
    validate: 'success',
    promote: 'success',
  });
  const stageImages = events
    .since(since)
    .filter((e) => e.exitCode === 0)
    .map((e) => e.image.split(':')[0]);
  expect(stageImages.sort()).toEqual([
    'airflow-ml-preprocess',
    'airflow-ml-promote',
    'airflow-ml-split',
    'airflow-ml-train',
    'airflow-ml-validate',
  ]);

  firstModel = `train_model__${run.dag_run_id}`;
  const model = readJson<Record<string, unknown>>(path.join(modelDir(firstModel), 'model.json'));
  expect([model.format, model.formatVersion, model.ds]).toEqual([
    'airflow-ml/logistic-regression',
    1,
    DAY,
  ]);
  const metrics = readJson<{ rocAuc: number; passed: boolean; minRocAuc: number; rows: number }>(
    path.join(modelDir(firstModel), 'metrics.json'),
  );
  console.log(`metrics: ${JSON.stringify({ ...metrics, roc: undefined })}`);
  expect([metrics.passed, metrics.minRocAuc, metrics.rows]).toEqual([true, 0.7, ROWS * 0.2]);
  expect(metrics.rocAuc).toBeGreaterThan(0.75);
  // Promoted by the pipeline: the alias names this run's model, and the history says so.
  expect(fs.readlinkSync(path.join(dataRoot, 'models', 'production'))).toBe(`${DAY}/${firstModel}`);
  const history = lines(path.join(dataRoot, 'models', 'history.jsonl')).map((l) => JSON.parse(l));
  expect(history.map((h) => [h.from, h.to, h.by])).toEqual([
    [null, `${DAY}/${firstModel}`, 'promote step'],
  ]);
});

test('predict scores with the model PROD_DIR names (the production alias by default)', async () => {
  const { data: prodDir } = await airflow.api<{ value: string }>(
    'GET',
    '/api/v2/variables/PROD_DIR',
  );
  expect(prodDir.value).toBe('models/production');
  expect(
    (await cli(['trigger', 'generate_data', '--date', NEXT_DAY, '--wait', '--timeout', '600']))
      .code,
  ).toBe(0);
  const since = Date.now();
  const r = await cli(['trigger', 'predict', '--date', NEXT_DAY, '--wait', '--timeout', '600']);
  expect(r.code).toBe(0);
  const { run } = await report('predict', since);
  expect(run.state).toBe('success');
  const rows = lines(path.join(dataRoot, 'predictions', NEXT_DAY, 'predictions.csv'));
  expect(rows).toHaveLength(ROWS + 1);
  expect(rows[0]).toBe('class,probability');
  const bad = rows.slice(1).filter((row) => {
    const [cls, p] = row.split(',').map(Number);
    return !(p >= 0 && p <= 1) || cls !== (p > 0.5 ? 1 : 0);
  });
  expect(bad).toEqual([]);
  // Which model scored the rows: the one the alias resolved to when predict started.
  const meta = readJson<{ model: string; rows: number }>(
    path.join(dataRoot, 'predictions', NEXT_DAY, 'prediction-meta.json'),
  );
  expect(meta).toEqual({
    ds: NEXT_DAY,
    model: `/data/models/${DAY}/${firstModel}/model.json`,
    modelDs: DAY,
    rows: ROWS,
  });
});

test('a worse model is kept out of production, and its alert carries the failing figure', async () => {
  const since = Date.now();
  const r = await cli(['trigger', 'e2e_worse_model', '--date', DAY, '--wait', '--timeout', '600']);
  expect(r.code).toBe(6);
  const { run, tasks } = await report('e2e_worse_model', since);
  expect(run.state).toBe('failed');
  const promote = tasks.find((t) => t.task_id === 'promote');
  // A step's own verdict fails at once: no retry used up.
  expect([promote?.state, promote?.try_number]).toEqual(['failed', 1]);
  expect(fs.readlinkSync(path.join(dataRoot, 'models', 'production'))).toBe(`${DAY}/${firstModel}`);

  const mail = await alertFor('e2e_worse_model');
  const html = String(mail.html);
  console.log(`received e-mail: ${mail.subject}\n${html}`);
  expect(mail.subject).toContain('e2e_worse_model.promote');
  const figure = new RegExp(
    `not promoted: ROC AUC (0\\.\\d{4}) is worse than production ${DAY}/${firstModel.replace(/[.+]/g, '\\$&')} \\((0\\.\\d{4}) on the same validation rows\\) by (0\\.\\d{4}), more than the tolerance 0\\.005`,
  ).exec(html);
  expect(figure).not.toBeNull();
  const [, candidate, production, gap] = (figure as RegExpExecArray).map(Number);
  expect(production - candidate).toBeCloseTo(gap, 3);
  expect(gap).toBeGreaterThan(0.01);
  // Kept and listed: `models list` shows it passed validation but is not in production.
  const listed = await cli(['models', 'list', '--json', '--data-root', dataRoot]);
  const rows = JSON.parse(listed.stdout) as {
    version: string;
    verdict: string;
    production: boolean;
  }[];
  expect(rows.map((m) => [m.version, m.verdict, m.production])).toEqual(
    [
      [firstModel, 'passed', true],
      [`e2e_worse_model__${run.dag_run_id}`, 'passed', false],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
});

test('a retrain is promoted; models rollback restores the previous model, and predict uses it', async () => {
  // A second run for the same day: Airflow allows one run per logical date, so it starts at
  // 06:00 (ds is still the day) with its own run id, hence its own model version.
  const retrainId = `manual__retrain_${Date.now()}`;
  const since = Date.now();
  const triggered = await airflow.api<{ dag_run_id: string }>(
    'POST',
    '/api/v2/dags/train_model/dagRuns',
    {
      dag_run_id: retrainId,
      logical_date: `${DAY}T06:00:00+00:00`,
    },
  );
  expect(triggered.status).toBe(200);
  const runState = async () =>
    (await airflow.api<Run>('GET', `/api/v2/dags/train_model/dagRuns/${retrainId}`)).data.state;
  await waitFor(async () => ['success', 'failed'].includes(await runState()), 900_000);
  const { run } = await report('train_model', since);
  expect([run.dag_run_id, run.state]).toEqual([retrainId, 'success']);
  const retrained = `train_model__${retrainId}`;
  expect(fs.readlinkSync(path.join(dataRoot, 'models', 'production'))).toBe(`${DAY}/${retrained}`);

  const rolled = await cli(['models', 'rollback', '--data-root', dataRoot]);
  expect(rolled.code).toBe(0);
  expect(rolled.stdout).toBe(
    `production: ${DAY}/${retrained} -> ${DAY}/${firstModel} (rollback)\n`,
  );
  // The alias and the history keep the step user's ownership, so the next promote can swap them.
  const owner = fs.statSync(path.join(dataRoot, 'models')).uid;
  expect(fs.lstatSync(path.join(dataRoot, 'models', 'production')).uid).toBe(owner);

  const LATER = '2026-03-04';
  expect(
    (await cli(['trigger', 'generate_data', '--date', LATER, '--wait', '--timeout', '600'])).code,
  ).toBe(0);
  expect(
    (await cli(['trigger', 'predict', '--date', LATER, '--wait', '--timeout', '600'])).code,
  ).toBe(0);
  const meta = readJson<{ model: string }>(
    path.join(dataRoot, 'predictions', LATER, 'prediction-meta.json'),
  );
  expect(meta.model).toBe(`/data/models/${DAY}/${firstModel}/model.json`);
  const history = lines(path.join(dataRoot, 'models', 'history.jsonl')).map((l) => JSON.parse(l));
  expect(history.map((h) => [h.from, h.to, h.by])).toEqual([
    [null, `${DAY}/${firstModel}`, 'promote step'],
    [`${DAY}/${firstModel}`, `${DAY}/${retrained}`, 'promote step'],
    [`${DAY}/${retrained}`, `${DAY}/${firstModel}`, 'airflow-ml models rollback'],
  ]);
});

test('train_model_gbm: a Python step on the same prepared data, validated and promoted like the logistic model', async () => {
  const since = Date.now();
  const r = await cli(['trigger', 'train_model_gbm', '--date', DAY, '--wait', '--timeout', '900']);
  expect(r.code).toBe(0);
  const { run, tasks } = await report('train_model_gbm', since);
  expect(run.state).toBe('success');
  expect(Object.fromEntries(tasks.map((t) => [t.task_id, t.state]))).toEqual({
    wait_for_data: 'success',
    wait_for_target: 'success',
    preprocess: 'success',
    split: 'success',
    train: 'success',
    validate: 'success',
    promote: 'success',
  });
  const stageImages = events
    .since(since)
    .filter((e) => e.exitCode === 0)
    .map((e) => e.image.split(':')[0]);
  expect(stageImages.sort()).toEqual([
    'airflow-ml-gbm-train',
    'airflow-ml-preprocess',
    'airflow-ml-promote',
    'airflow-ml-split',
    'airflow-ml-validate',
  ]);
  // The same prepared data: the same steps and seed give train_model's bytes.
  for (const f of ['train.bin', 'val.bin'])
    expect(sha256(path.join(dataRoot, 'splits_gbm', DAY, f))).toBe(
      sha256(path.join(dataRoot, 'splits', DAY, f)),
    );
  const gbm = `train_model_gbm__${run.dag_run_id}`;
  const model = readJson<{
    format: string;
    formatVersion: number;
    ds: string;
    trees: { trees: unknown[] };
  }>(path.join(modelDir(gbm), 'model.json'));
  expect([model.format, model.formatVersion, model.ds, model.trees.trees.length]).toEqual([
    'airflow-ml/gradient-boosting',
    1,
    DAY,
    100,
  ]);
  // One metrics.json format for both kinds of model.
  const metrics = readJson<Record<string, unknown>>(path.join(modelDir(gbm), 'metrics.json'));
  const logistic = readJson<Record<string, unknown>>(
    path.join(modelDir(firstModel), 'metrics.json'),
  );
  expect(Object.keys(metrics).sort()).toEqual(Object.keys(logistic).sort());
  expect([metrics.passed, metrics.minRocAuc, metrics.rows]).toEqual([true, 0.7, ROWS * 0.2]);
  console.log(`gbm ROC AUC ${String(metrics.rocAuc)} beside logistic ${String(logistic.rocAuc)}`);
  // Side by side in the registry; the gate scored production (logistic) on the same rows.
  const listed = await cli(['models', 'list', '--json', '--data-root', dataRoot]);
  const rows = JSON.parse(listed.stdout) as {
    version: string;
    rocAuc: number;
    verdict: string;
    production: boolean;
  }[];
  expect(
    rows
      .filter((m) => [firstModel, gbm].includes(m.version))
      .map((m) => [m.version, m.rocAuc, m.verdict, m.production]),
  ).toEqual(
    [
      [firstModel, logistic.rocAuc, 'passed', false],
      [gbm, metrics.rocAuc, 'passed', true],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
  const history = lines(path.join(dataRoot, 'models', 'history.jsonl')).map((l) => JSON.parse(l));
  expect(history.slice(-1).map((h) => [h.from, h.to, h.by])).toEqual([
    [`${DAY}/${firstModel}`, `${DAY}/${gbm}`, 'promote step'],
  ]);
});

test('a corrupt input makes the step exit non-zero; the run fails and an alert e-mail arrives', async () => {
  const dir = path.join(dataRoot, 'corrupt', DAY);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(dataRoot, 'raw', DAY, 'target.csv'), path.join(dir, 'target.csv'));
  const good = lines(path.join(dataRoot, 'raw', DAY, 'data.csv'));
  good[3] = good[3].replace(/^[0-9]+/, 'forty');
  fs.writeFileSync(path.join(dir, 'data.csv'), good.join('\n') + '\n');
  fs.chmodSync(dir, 0o777);

  const since = Date.now();
  const r = await cli([
    'trigger',
    'e2e_corrupt_input',
    '--date',
    DAY,
    '--wait',
    '--timeout',
    '600',
  ]);
  expect(r.code).toBe(6);
  expect(r.stderr).toMatch(/failed task\(s\): preprocess/);
  const { run, tasks } = await report('e2e_corrupt_input', since);
  expect(run.state).toBe('failed');
  // Bad input is the step's own verdict (exit 3): failed on try 1 of 3, no retry spent.
  expect(tasks.map((t) => [t.task_id, t.state, t.try_number])).toEqual([
    ['preprocess', 'failed', 1],
  ]);
  expect(
    events
      .since(since)
      .some((e) => e.image.startsWith('airflow-ml-preprocess') && e.exitCode !== 0),
  ).toBe(true);

  const mail = await alertFor('e2e_corrupt_input');
  console.log(`received e-mail: ${mail.subject}`);
  expect(mail.subject).toContain('e2e_corrupt_input.preprocess');
  expect(mail.subject).toContain(DAY);
  const html = String(mail.html);
  expect(html).toContain(`<b>${DAY}</b>`);
  // The error names the step's exit code and its own last line, with the cell it choked on.
  expect(html).toMatch(
    /Error: <code>preprocess exited 3: preprocess: error: \/data\/corrupt\/2026-03-02\/data\.csv:4:1: column &#34;age&#34;: &#34;forty&#34; is not a number<\/code>/,
  );
  expect(html).toMatch(/Log: <a href="http[^"]+">/);
});

test('a missing input makes the sensor time out; the run fails and an alert e-mail arrives', async () => {
  const since = Date.now();
  const r = await cli([
    'trigger',
    'e2e_missing_input',
    '--date',
    DAY,
    '--wait',
    '--timeout',
    '600',
  ]);
  expect(r.code).toBe(6);
  const { run, tasks } = await report('e2e_missing_input', since);
  expect(run.state).toBe('failed');
  expect(tasks.find((t) => t.task_id === 'wait_for_data')?.state).toBe('failed');
  const mail = await alertFor('e2e_missing_input');
  console.log(`received e-mail: ${mail.subject}`);
  expect(mail.subject).toContain('e2e_missing_input.wait_for_data');
  expect(String(mail.html)).toMatch(/Error: <code>.*(timed out|Timeout|timeout).*<\/code>/s);
});

test('a step killed mid-run is retried per the spec and the run still succeeds', async () => {
  const since = Date.now();
  const triggered = cli(['trigger', 'e2e_retry', '--date', DAY, '--wait', '--timeout', '600']);
  // Kill the first attempt's container from outside, as an OOM killer or an operator would.
  const killed = await waitFor(
    () => {
      // The attempt's container is the one whose command writes under retry/<date>/.
      const running = execFileSync('docker', [
        'ps',
        '--no-trunc',
        '--format',
        '{{.ID}} {{.Command}}',
      ]).toString();
      const id = running
        .split('\n')
        .find((l) => l.includes(`/data/retry/${DAY}/`))
        ?.split(' ')[0];
      if (!id) return false;
      execFileSync('docker', ['kill', id]);
      return id;
    },
    300_000,
    200,
  );
  console.log(`killed container ${killed}`);
  const r = await triggered;
  expect(r.code).toBe(0);
  const { run, tasks } = await report('e2e_retry', since);
  expect(run.state).toBe('success');
  expect(tasks[0].try_number).toBe(2);
  const exits = events
    .since(since)
    .filter((e) => e.image.startsWith('airflow-ml-generate'))
    .map((e) => e.exitCode);
  expect(exits).toEqual([137, 0]);
  expect(lines(path.join(dataRoot, 'retry', DAY, 'target.csv'))).toHaveLength(2_000_001);
});

test('SMTP credentials appear in no generated file and no log', () => {
  const hits: string[] = [];
  const scan = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) scan(p);
      else if (
        entry.isFile() &&
        fs.statSync(p).size < 50_000_000 &&
        fs.readFileSync(p).includes(SMTP_PASSWORD)
      )
        hits.push(p);
    }
  };
  scan(airflow.dagsFolder);
  scan(path.join(airflow.home, 'logs'));
  scan(path.join(airflow.home, 'harness-logs'));
  scan(path.join(ROOT, 'airflow', 'dags'));
  expect(hits).toEqual([]);
  // ...while the connection the CLI created does hold them (so the alerts above used it).
  expect(smtp.mails.length).toBeGreaterThanOrEqual(2);
});

/** The first alert mail whose subject names the DAG, parsed (subject, HTML body). */
async function alertFor(dagId: string): Promise<ParsedMail> {
  const raw = await smtp.waitFor(
    (m) => new RegExp(`^Subject: .*${dagId}`, 'm').test(m.raw),
    120_000,
  );
  return simpleParser(raw.raw);
}

async function waitFor<T>(
  probe: () => T | Promise<T>,
  timeoutMs: number,
  intervalMs = 1000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
