import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AirflowClient } from '../../../cli/ops/airflow/client';
import { deploy, type DeployOptions } from '../../../cli/ops/deploy/deploy';
import { DagParseError } from '../../../cli/ops/deploy/errors';
import type { DeployEvent } from '../../../cli/ops/deploy/types';
import { ExitCode } from '../../../cli/base/errors';
import {
  STANDALONE_START_BUDGET_MS,
  startAirflowStandalone,
  type AirflowStandalone,
} from '../support/airflow-standalone';
import { runCli } from './run-cli';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

/**
 * deploy, trigger, runs and logs against a real Airflow whose scheduler runs the DAGs.
 * The DAG files are written here (an EmptyOperator DAG, and a task that fails and alerts
 * through smtp_default), injected through deploy's compile seam; one test deploys the
 * project's real compiled specs through the CLI.
 */

jest.setTimeout(180_000);

const SMTP_USER = 'alerts@example.com';
const SMTP_PASSWORD = 'smtp-Pa55-word';

let af: AirflowStandalone;
let smtp: SmtpSink;
let dataRoot: string;
let env: Record<string, string>;
let client: AirflowClient;

beforeAll(async () => {
  smtp = await startSmtpSink({ user: SMTP_USER, password: SMTP_PASSWORD });
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-data-'));
  // The generated DAGs read AIRFLOW_ML_DATA_ROOT in the Airflow environment.
  af = await startAirflowStandalone({ env: { AIRFLOW_ML_DATA_ROOT: dataRoot } });
  env = { AIRFLOW_URL: af.url, AIRFLOW_USERNAME: af.username, AIRFLOW_PASSWORD: af.password };
  client = new AirflowClient({ url: af.url, username: af.username, password: af.password });
}, STANDALONE_START_BUDGET_MS);

afterAll(async () => {
  await af?.stop();
  await smtp?.close();
}, 120_000);

const OK_DAG = (description: string) => `
import datetime
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(
    dag_id="afml_ok",
    description=${JSON.stringify(description)},
    schedule=None,
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
):
    EmptyOperator(task_id="noop")
`;

const FAIL_DAG = `
import datetime
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import DAG, task

with DAG(
    dag_id="afml_fail",
    schedule=None,
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
):
    @task(
        retries=0,
        on_failure_callback=SmtpNotifier(
            to="oncall@example.com",
            subject="afml_fail {{ ti.task_id }} failed for {{ ds }}",
            html_content="alert-body-marker",
        ),
    )
    def boom():
        print("marker-before-failure")
        raise RuntimeError("deliberate-failure-marker")

    boom()
`;

function options(files: Record<string, string>, extra: Partial<DeployOptions> = {}) {
  const events: DeployEvent[] = [];
  const opts: DeployOptions = {
    compile: async () => ({ files: new Map(Object.entries(files)) }),
    dagsFolder: af.dagsFolder,
    dataRoot,
    env: {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_USER,
      SMTP_PASSWORD,
      SMTP_STARTTLS: 'false',
      SMTP_FROM: 'airflow-ml@example.com',
    },
    pollMs: 500,
    parseTimeoutMs: 120_000,
    report: (e) => events.push(e),
    ...extra,
  };
  return { opts, events };
}

const dag = async (id: string) =>
  (await af.api<{ is_paused: boolean; description: string | null }>('GET', `/api/v2/dags/${id}`))
    .data;

describe('deploy', () => {
  test('first deploy: variables, connections, files, parsed, unpaused; each phase reported', async () => {
    const { opts, events } = options({ 'afml_ok.py': OK_DAG('v1'), 'afml_fail.py': FAIL_DAG });
    const started = Date.now();
    const { plan, result } = await deploy(client, opts);
    const seconds = (Date.now() - started) / 1000;

    expect(plan.files.map((f) => [f.name, f.action])).toEqual([
      ['afml_fail.py', 'create'],
      ['afml_ok.py', 'create'],
    ]);
    expect(result).toEqual({
      written: ['afml_fail.py', 'afml_ok.py'],
      unchanged: [],
      variablesWritten: ['PROD_DIR'],
      variablesKept: [],
      connections: ['fs_default', 'smtp_default'],
      parsed: ['afml_fail', 'afml_ok'],
      unpaused: ['afml_fail', 'afml_ok'],
      alreadyUnpaused: [],
      // Hand-made files carry no pipelines, so there are no first runs to plan.
      firstRuns: [],
    });
    expect([...new Set(events.map((e) => e.phase))]).toEqual([
      'compile',
      'variables',
      'connections',
      'copy',
      'parse',
      'unpause',
    ]);
    // New files are found by the folder scan (5 s in the harness).
    expect(seconds).toBeLessThan(60);

    expect((await dag('afml_ok')).is_paused).toBe(false);
    expect((await dag('afml_fail')).is_paused).toBe(false);
    const prod = await af.api<{ value: string }>('GET', '/api/v2/variables/PROD_DIR');
    expect(prod.data.value).toBe('models/production');
    const fsConn = await af.api<{ conn_type: string; extra: string }>(
      'GET',
      '/api/v2/connections/fs_default',
    );
    expect(fsConn.data.conn_type).toBe('fs');
    expect(JSON.parse(fsConn.data.extra)).toEqual({ path: dataRoot });
    const smtpConn = await af.airflow(['connections', 'get', 'smtp_default', '-o', 'json']);
    const [conn] = JSON.parse(smtpConn.stdout) as Record<string, unknown>[];
    expect(conn).toMatchObject({
      conn_type: 'smtp',
      host: '127.0.0.1',
      port: String(smtp.port),
      login: SMTP_USER,
      password: SMTP_PASSWORD,
    });
    const smtpApi = await af.api<{ extra: string }>('GET', '/api/v2/connections/smtp_default');
    expect(JSON.parse(smtpApi.data.extra)).toEqual({
      disable_ssl: true,
      disable_tls: true,
      from_email: 'airflow-ml@example.com',
    });
  });

  test('safe to run twice: nothing rewritten, a promoted PROD_DIR kept, no wait', async () => {
    await af.api('PATCH', '/api/v2/variables/PROD_DIR', {
      key: 'PROD_DIR',
      value: 'models/2024-03-05',
    });
    const mtime = fs.statSync(path.join(af.dagsFolder, 'afml_ok.py')).mtimeMs;
    const started = Date.now();
    const { result } = await deploy(
      client,
      options({ 'afml_ok.py': OK_DAG('v1'), 'afml_fail.py': FAIL_DAG }).opts,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({
      written: [],
      unchanged: ['afml_fail.py', 'afml_ok.py'],
      variablesWritten: [],
      variablesKept: ['PROD_DIR'],
      unpaused: [],
      alreadyUnpaused: ['afml_fail', 'afml_ok'],
    });
    expect(fs.statSync(path.join(af.dagsFolder, 'afml_ok.py')).mtimeMs).toBe(mtime);
    expect((await af.api<{ value: string }>('GET', '/api/v2/variables/PROD_DIR')).data.value).toBe(
      'models/2024-03-05',
    );
  });

  test('a changed file is reparsed before deploy returns', async () => {
    const { opts, events } = options({ 'afml_ok.py': OK_DAG('v2'), 'afml_fail.py': FAIL_DAG });
    const { result } = await deploy(client, opts);
    expect(result?.written).toEqual(['afml_ok.py']);
    expect(events.map((e) => e.message)).toContain('asked Airflow to reparse afml_ok.py');
    expect((await dag('afml_ok')).description).toBe('v2');
  });

  test('an import error fails fast, naming the file with the traceback (exit 8)', async () => {
    const broken = 'from airflow.sdk import DAG\nimport module_that_does_not_exist_xyz\n';
    const started = Date.now();
    const err = (await deploy(client, options({ 'afml_broken.py': broken }).opts).catch(
      (e: unknown) => e,
    )) as DagParseError;
    fs.rmSync(path.join(af.dagsFolder, 'afml_broken.py'));
    expect(err).toBeInstanceOf(DagParseError);
    expect(err.exitCode).toBe(ExitCode.airflowApi);
    expect(err.message).toContain('Airflow could not import afml_broken.py');
    expect(err.message).toContain(
      "ModuleNotFoundError: No module named 'module_that_does_not_exist_xyz'",
    );
    expect(err.importErrors.map((e) => e.file)).toEqual(['afml_broken.py']);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  test('a DAG that never appears times out, naming it', async () => {
    // The file parses, but its dag_id is not its file name, so "afml_ghost" never shows up.
    const ghost = OK_DAG('ghost').replace('dag_id="afml_ok"', 'dag_id="afml_not_ghost"');
    const err = (await deploy(
      client,
      options({ 'afml_ghost.py': ghost }, { parseTimeoutMs: 12_000 }).opts,
    ).catch((e: unknown) => e)) as DagParseError;
    fs.rmSync(path.join(af.dagsFolder, 'afml_ghost.py'));
    expect(err).toBeInstanceOf(DagParseError);
    expect(err.message).toBe('Airflow had not parsed afml_ghost after 12 s');
    expect(err.missingDags).toEqual(['afml_ghost']);
    expect(err.hint).toContain('refresh_interval');
  });

  test('the CLI deploys the real compiled specs (--no-unpause), and --dry-run changes nothing', async () => {
    const flags = ['--dags-folder', af.dagsFolder, '--data-root', dataRoot];
    const dry = await runCli(['deploy', ...flags, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^\s+create\s+train_model\.py$/m);
    expect(fs.existsSync(path.join(af.dagsFolder, 'train_model.py'))).toBe(false);

    const r = await runCli(['deploy', ...flags, '--no-unpause', '--parse-timeout', '120'], env);
    expect(r.stderr).toContain(
      '[parse] Airflow has parsed generate_data, predict, train_model_gbm, train_model, no import errors',
    );
    expect(r).toMatchObject({
      code: 0,
      stdout: 'deployed 4 DAG(s): generate_data, predict, train_model_gbm, train_model\n',
    });
    for (const id of ['generate_data', 'predict', 'train_model', 'train_model_gbm'])
      expect((await dag(id)).is_paused).toBe(true);
    expect(r.all).not.toContain(af.password);
  });
});

describe('trigger, runs, logs', () => {
  let failedRunId: string;

  test('trigger --wait: a run with the given logical date that succeeds', async () => {
    const r = await runCli(
      ['trigger', 'afml_ok', '--date', '2024-03-05', '--wait', '--poll', '1', '--timeout', '150'],
      env,
    );
    expect(r.code).toBe(0);
    const [runId, state] = r.stdout.trim().split(' ');
    expect(state).toBe('success');
    const run = await af.api<{ logical_date: string; state: string; run_type: string }>(
      'GET',
      `/api/v2/dags/afml_ok/dagRuns/${encodeURIComponent(runId)}`,
    );
    expect(run.data).toMatchObject({
      logical_date: '2024-03-05T00:00:00Z',
      state: 'success',
      run_type: 'manual',
    });
    expect(r.stderr).toContain('(logical date 2024-03-05T00:00:00Z, queued)');
  });

  test('trigger without --wait returns the run id at once; the same date again is a clear 409', async () => {
    const r = await runCli(['trigger', 'afml_ok', '--date', '2024-03-07'], env);
    expect(r.code).toBe(0);
    const runs = await af.api<{ dag_runs: { dag_run_id: string; logical_date: string }[] }>(
      'GET',
      '/api/v2/dags/afml_ok/dagRuns?logical_date_gte=2024-03-07T00:00:00Z&logical_date_lte=2024-03-07T00:00:00Z',
    );
    expect(runs.data.dag_runs.map((x) => x.dag_run_id)).toEqual([r.stdout.trim()]);
    const again = await runCli(['trigger', 'afml_ok', '--date', '2024-03-07'], env);
    expect(again.code).toBe(ExitCode.airflowApi);
    expect(again.stderr).toContain(
      'error: afml_ok already has a run for logical date 2024-03-07T00:00:00+00:00',
    );
    expect(again.stderr).toContain(
      'hint: see it with `airflow-ml runs afml_ok`, or trigger another --date',
    );
  });

  test('trigger --wait on a failing DAG: exit 6 with the failed task log tail, and the alert mail arrives', async () => {
    const r = await runCli(
      ['trigger', 'afml_fail', '--date', '2024-03-06', '--wait', '--poll', '1', '--timeout', '150'],
      env,
    );
    expect(r.code).toBe(ExitCode.runFailed);
    expect(r.stderr).toMatch(/error: run (\S+) of afml_fail failed; failed task\(s\): boom/);
    failedRunId = /error: run (\S+) of afml_fail failed/.exec(r.stderr)?.[1] ?? '';
    expect(r.stderr).toContain('--- boom (try 1), last 30 log lines ---');
    expect(r.stderr).toContain('marker-before-failure');
    expect(r.stderr).toContain('RuntimeError: deliberate-failure-marker');
    expect(r.stderr).toContain(
      `hint: full logs: airflow-ml logs afml_fail '${failedRunId}' TASK_ID`,
    );

    // SmtpNotifier in the worker, through the smtp_default connection that deploy created.
    const mail = await smtp.waitFor(
      (m) => m.raw.includes('afml_fail boom failed for 2024-03-06'),
      90_000,
    );
    expect(mail).toMatchObject({
      from: 'airflow-ml@example.com',
      to: ['oncall@example.com'],
      user: SMTP_USER,
    });
    // The notifier sends the HTML part base64-encoded.
    expect(mail.raw).toContain(Buffer.from('alert-body-marker').toString('base64'));
  });

  test('runs: recent runs with task states', async () => {
    const r = await runCli(['runs', 'afml_ok'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN ID\s+LOGICAL DATE\s+STATE\s+VERSION\s+STARTED\s+ENDED\s+TASKS$/);
    // The DAG version its tasks ran (Airflow's number; this DAG's file never changed).
    expect(lines.find((l) => l.includes('2024-03-05T00:00:00Z'))).toMatch(
      /\ssuccess\s+v1\s.*noop=success$/,
    );
    const failed = await runCli(['runs', 'afml_fail', '--limit', '1'], env);
    expect(failed.stdout).toMatch(/2024-03-06T00:00:00Z\s+failed\s.*boom=failed/);
  });

  test('logs: the task log, by latest try and by --try', async () => {
    const latest = await runCli(['logs', 'afml_fail', failedRunId, 'boom'], env);
    expect(latest.code).toBe(0);
    expect(latest.stderr).toContain('try 1');
    expect(latest.stdout).toContain('marker-before-failure');
    expect(latest.stdout).toContain('RuntimeError: deliberate-failure-marker');
    const first = await runCli(['logs', 'afml_fail', failedRunId, 'boom', '--try', '1'], env);
    expect(first.stdout).toBe(latest.stdout);
  });

  test('unknown DAG or task: exit 8 with what to do', async () => {
    const r = await runCli(['trigger', 'no_such_dag'], env);
    expect(r.code).toBe(ExitCode.airflowApi);
    expect(r.stderr).toContain('error: Airflow has no DAG "no_such_dag"');
    expect(r.stderr).toContain('hint: deploy it with `airflow-ml deploy`');
    const logs = await runCli(['logs', 'afml_fail', failedRunId, 'no_such_task'], env);
    expect(logs.code).toBe(ExitCode.airflowApi);
    expect(logs.stderr).toContain('answered 404');
    expect((await runCli(['trigger', 'afml_ok', '--date', '2024-02-30'], env)).code).toBe(
      ExitCode.usage,
    );
  });
});
