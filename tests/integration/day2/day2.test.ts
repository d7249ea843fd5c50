import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode } from '../../../cli/base/errors';
import { runCli } from '../api/run-cli';
import {
  STANDALONE_START_BUDGET_MS,
  startAirflowStandalone,
  type AirflowStandalone,
} from '../support/airflow-standalone';
import { NODE_BASE, ROOT } from '../support/cli';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { makeDataRoot } from '../support/data-root';

/**
 * Day-2 commands against a real Airflow 3.3 whose scheduler runs the DAGs: pause/unpause,
 * mark, clear, and a backfill of a week of the shipped generate_data DAG, whose step runs in
 * a real container and writes the data root, checked file by file.
 */
jest.setTimeout(300_000);

let af: AirflowStandalone;
let dataRoot: string;
let env: Record<string, string>;
let smtp: SmtpSink;

/** Manual-free, @daily, no catchup: runs come only from the tests (trigger, backfill). */
const DAILY_DAG = `
import datetime
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(
    dag_id="afml_day2",
    schedule="@daily",
    catchup=False,
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
):
    EmptyOperator(task_id="first") >> EmptyOperator(task_id="second")
`;

/** Fails on its first try of a logical date, succeeds once cleared (a marker file says which). */
const FLAKY_DAG = (markers: string) => `
import datetime, os
from airflow.sdk import DAG, task

with DAG(
    dag_id="afml_flaky",
    schedule=None,
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
):
    @task(retries=0)
    def flaky(ds=None):
        marker = os.path.join(${JSON.stringify(markers)}, ds)
        if not os.path.exists(marker):
            open(marker, "w").close()
            raise RuntimeError("first try fails on purpose")

    @task(retries=0)
    def after():
        pass

    flaky() >> after()
`;

beforeAll(async () => {
  const root = makeDataRoot('airflow-ml-day2-data-');
  dataRoot = root.dir;
  const markers = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-flaky-'));
  const built = await runCli(['images', 'build', '--base-image', NODE_BASE], {}, ROOT);
  if (built.code !== 0) throw new Error(`images build failed:\n${built.all}`);
  af = await startAirflowStandalone({
    env: { AIRFLOW_ML_DATA_ROOT: dataRoot, AIRFLOW_ML_STEP_USER: root.stepUser },
    // Runs come only from the tests.
    config: { 'scheduler.use_job_schedule': 'False', 'core.parallelism': '2' },
  });
  env = { AIRFLOW_URL: af.url, AIRFLOW_USERNAME: af.username, AIRFLOW_PASSWORD: af.password };
  smtp = await startSmtpSink({ user: 'alerts@example.com', password: 'smtp-pw' });
  const specs = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-day2-specs-'));
  fs.copyFileSync(
    path.join(ROOT, 'dag-specs', 'generate_data.yaml'),
    path.join(specs, 'generate_data.yaml'),
  );
  const compiled = await runCli(['compile', '--specs', specs, '--out', af.dagsFolder], {}, ROOT);
  if (compiled.code !== 0) throw new Error(`compile failed:\n${compiled.all}`);
  fs.writeFileSync(path.join(af.dagsFolder, 'afml_day2.py'), DAILY_DAG);
  fs.writeFileSync(path.join(af.dagsFolder, 'afml_flaky.py'), FLAKY_DAG(markers));
  for (const id of ['generate_data', 'afml_day2', 'afml_flaky']) await waitForDag(id);
}, STANDALONE_START_BUDGET_MS);

afterAll(async () => {
  await af?.stop();
  await smtp?.close();
}, 120_000);

async function waitForDag(dagId: string): Promise<void> {
  await waitFor(
    async () => (await af.api('GET', `/api/v2/dags/${dagId}`)).status === 200,
    180_000,
    `${dagId} parsed`,
  );
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const isPaused = async (dagId: string) =>
  (await af.api<{ is_paused: boolean }>('GET', `/api/v2/dags/${dagId}`)).data.is_paused;

interface Run {
  dag_run_id: string;
  state: string;
  logical_date: string;
}
const getRun = async (dagId: string, runId: string) =>
  (await af.api<Run>('GET', `/api/v2/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}`)).data;
const taskStates = async (dagId: string, runId: string) =>
  Object.fromEntries(
    (
      await af.api<{ task_instances: { task_id: string; state: string | null }[] }>(
        'GET',
        `/api/v2/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances`,
      )
    ).data.task_instances.map((t) => [t.task_id, t.state]),
  );

describe('pause and unpause', () => {
  test('each DAG named is paused, then unpaused; a repeat says so', async () => {
    expect(await isPaused('afml_day2')).toBe(true); // new DAGs start paused
    const unpause = await runCli(['unpause', 'afml_day2', 'afml_flaky'], env);
    expect(unpause).toMatchObject({
      code: 0,
      stdout: 'unpaused afml_day2\nunpaused afml_flaky\n',
    });
    expect([await isPaused('afml_day2'), await isPaused('afml_flaky')]).toEqual([false, false]);
    const again = await runCli(['unpause', 'afml_day2'], env);
    expect(again).toMatchObject({ code: 0, stdout: 'afml_day2 was already unpaused\n' });
    const pause = await runCli(['pause', 'afml_day2'], env);
    expect(pause).toMatchObject({ code: 0, stdout: 'paused afml_day2\n' });
    expect(await isPaused('afml_day2')).toBe(true);
  });

  test('an unknown DAG changes nothing (exit 8)', async () => {
    const r = await runCli(['unpause', 'afml_day2', 'no_such_dag'], env);
    expect(r.code).toBe(ExitCode.airflowApi);
    expect(r.stderr).toContain('error: Airflow has no DAG "no_such_dag"\n');
    expect(r.stdout).toBe('');
    expect(await isPaused('afml_day2')).toBe(true);
  });
});

describe('mark', () => {
  test('a queued run of a paused DAG is marked failed, then success', async () => {
    const trig = await runCli(['trigger', 'afml_day2', '--date', '2024-05-01'], env);
    expect(trig.code).toBe(0);
    const runId = 'manual__2024-05-01T00:00:00+00:00';
    expect((await getRun('afml_day2', runId)).state).toBe('queued');

    const failed = await runCli(['mark', 'afml_day2', runId, 'failed'], env);
    expect(failed).toMatchObject({ code: 0, stdout: `marked afml_day2 ${runId} failed\n` });
    expect((await getRun('afml_day2', runId)).state).toBe('failed');

    const success = await runCli(['mark', 'afml_day2', runId, 'success'], env);
    expect(success).toMatchObject({ code: 0, stdout: `marked afml_day2 ${runId} success\n` });
    expect((await getRun('afml_day2', runId)).state).toBe('success');
  });

  test('an unknown run is exit 8 naming it; a bad state is a usage error before any request', async () => {
    const missing = await runCli(['mark', 'afml_day2', 'no_such_run', 'failed'], env);
    expect(missing.code).toBe(ExitCode.airflowApi);
    expect(missing.stderr).toContain('error: afml_day2 has no run "no_such_run"\n');
    // No credentials at all: the usage error still wins.
    const bad = await runCli(['mark', 'afml_day2', 'x', 'done'], {});
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.stderr).toBe('error: STATE must be one of success, failed, not "done"\n');
  });
});

describe('clear', () => {
  test('--failed-only reruns the failed task and the run then succeeds', async () => {
    const runId = 'manual__2024-06-01T00:00:00+00:00';
    const trig = await runCli(['trigger', 'afml_flaky', '--date', '2024-06-01', '--wait'], env);
    expect(trig.code).toBe(ExitCode.runFailed);
    expect(await taskStates('afml_flaky', runId)).toEqual({
      flaky: 'failed',
      after: 'upstream_failed',
    });

    const r = await runCli(['clear', 'afml_flaky', runId, '--failed-only'], env);
    expect(r).toMatchObject({
      code: 0,
      stdout: `cleared 2 task(s) of afml_flaky ${runId}: after, flaky\n`,
    });
    await waitFor(
      async () => (await getRun('afml_flaky', runId)).state === 'success',
      120_000,
      'the cleared run to succeed',
    );
    expect(await taskStates('afml_flaky', runId)).toEqual({ flaky: 'success', after: 'success' });

    const nothing = await runCli(['clear', 'afml_flaky', runId, '--failed-only'], env);
    expect(nothing).toMatchObject({
      code: 0,
      stdout: `nothing to clear in afml_flaky ${runId} (no failed task)\n`,
    });
  });

  test('--task clears only that task', async () => {
    const runId = 'manual__2024-06-01T00:00:00+00:00';
    const r = await runCli(['clear', 'afml_flaky', runId, '--task', 'after'], env);
    expect(r).toMatchObject({
      code: 0,
      stdout: `cleared 1 task(s) of afml_flaky ${runId}: after\n`,
    });
    await waitFor(
      async () => (await getRun('afml_flaky', runId)).state === 'success',
      120_000,
      'the run to succeed again',
    );
  });

  test('an unknown task is exit 8 naming it', async () => {
    const runId = 'manual__2024-06-01T00:00:00+00:00';
    const r = await runCli(['clear', 'afml_flaky', runId, '--task', 'nope'], env);
    expect(r.code).toBe(ExitCode.airflowApi);
    expect(r.stderr).toContain('error: afml_flaky has no task "nope"\n');
  });
});

describe('backfill', () => {
  const DAYS = [
    '2026-02-01',
    '2026-02-02',
    '2026-02-03',
    '2026-02-04',
    '2026-02-05',
    '2026-02-06',
    '2026-02-07',
  ];

  test('a week of generate_data: seven runs in containers, each day written to the data root', async () => {
    expect((await runCli(['unpause', 'generate_data'], env)).code).toBe(0);
    const started = Date.now();
    const r = await runCli(
      ['backfill', 'generate_data', '--from', DAYS[0], '--to', DAYS[6], '--wait', '--poll', '2'],
      env,
    );
    console.log(`backfill of 7 days: ${((Date.now() - started) / 1000).toFixed(1)} s\n${r.all}`);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^backfill \d+ of generate_data: 7 run\(s\) from 2026-02-01 to 2026-02-07 \(reprocess none, 10 at a time\)$/,
    );
    expect(lines.slice(2)).toEqual(
      DAYS.map((d) => `  ${d}T00:00:00Z  success  backfill__${d}T00:00:00+00:00`),
    );
    for (const day of DAYS) {
      const data = fs.readFileSync(path.join(dataRoot, 'raw', day, 'data.csv'), 'utf8');
      const target = fs.readFileSync(path.join(dataRoot, 'raw', day, 'target.csv'), 'utf8');
      expect([day, data.trimEnd().split('\n').length, target.trimEnd().split('\n').length]).toEqual(
        [day, 20_001, 20_001],
      );
    }
    expect(fs.readdirSync(path.join(dataRoot, 'raw')).sort()).toEqual(DAYS);
    // Progress on stderr, one line per change, ending with all seven finished.
    const progress = r.stderr.split('\n').filter((l) => /^backfill \d+: /.test(l));
    expect(progress[progress.length - 1]).toMatch(/^backfill \d+: 7\/7 finished \(7 success\)$/);

    const status = await runCli(['backfill', 'generate_data', '--status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('; 7 success\n');
    const cancel = await runCli(['backfill', 'generate_data', '--cancel'], env);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(
      /^backfill \d+ of generate_data already finished at .+; nothing to cancel\n$/,
    );
  });

  test('a running backfill is cancelled: its queued runs fail and it is finished', async () => {
    // afml_day2 is paused: its runs wait, so the backfill is still running when cancelled.
    const r = await runCli(
      [
        'backfill',
        'afml_day2',
        '--from',
        '2024-01-01',
        '--to',
        '2024-01-10',
        '--max-active-runs',
        '1',
      ],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^backfill \d+ of afml_day2: 10 run\(s\) from 2024-01-01 to 2024-01-10 \(reprocess none, 1 at a time\)\n$/,
    );
    const second = await runCli(
      ['backfill', 'afml_day2', '--from', '2024-02-01', '--to', '2024-02-02'],
      env,
    );
    expect(second.code).toBe(ExitCode.airflowApi);
    expect(second.stderr).toContain('error: afml_day2 already has a backfill running\n');

    const cancel = await runCli(['backfill', 'afml_day2', '--cancel'], env);
    expect(cancel.code).toBe(0);
    const id = /^backfill (\d+)/.exec(r.stdout)?.[1];
    expect(cancel.stdout.split('\n')[0]).toBe(`cancelled backfill ${id} of afml_day2`);
    const runs = await af.api<{ dag_runs: Run[] }>(
      'GET',
      '/api/v2/dags/afml_day2/dagRuns?run_type=backfill&limit=100',
    );
    // A paused DAG's queued runs are never started, so cancel fails all ten.
    expect(runs.data.dag_runs.map((x) => [x.logical_date.slice(0, 10), x.state])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`2024-01-${String(i + 1).padStart(2, '0')}`, 'failed']),
    );
    const backfill = await af.api<{ completed_at: string | null }>(
      'GET',
      `/api/v2/backfills/${id}`,
    );
    expect(backfill.data.completed_at).not.toBeNull();
  });

  test('usage errors come before configuration: no credentials, exit 2', async () => {
    const cases: [string[], string][] = [
      [
        ['backfill', 'generate_data', '--from', '2026-02-01'],
        'error: backfill needs --from and --to (or --status, or --cancel)\n',
      ],
      [
        ['backfill', 'generate_data', '--from', '2026-02-07', '--to', '2026-02-01'],
        'error: --from 2026-02-07 is after --to 2026-02-01\n',
      ],
      [
        ['backfill', 'generate_data', '--from', '2026-02-30', '--to', '2026-03-01'],
        'error: --from must be a calendar day as YYYY-MM-DD, not "2026-02-30"\n',
      ],
      [
        [
          'backfill',
          'generate_data',
          '--from',
          '2026-02-01',
          '--to',
          '2026-02-02',
          '--reprocess',
          'all',
        ],
        'error: --reprocess must be one of none, failed, completed, not "all"\n',
      ],
      [
        ['backfill', 'generate_data', '--status', '--cancel'],
        'error: --status and --cancel exclude each other\n',
      ],
    ];
    for (const [args, first] of cases) {
      const r = await runCli(args, {});
      expect([args.join(' '), r.code, r.stderr.split('\n')[0] + '\n']).toEqual([
        args.join(' '),
        ExitCode.usage,
        first,
      ]);
    }
  });
});

describe('read commands as JSON, and - for stdin/stdout, against the real Airflow', () => {
  test('status --json: the documented fields, healthy, exit 0', async () => {
    const r = await runCli(['status', '--json'], {
      ...env,
      // This Airflow is not the compose stack: keep `status` from reporting on a stack that
      // may exist on this machine (with no engine it reports on the Airflow it reaches).
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_USER: 'alerts@example.com',
      SMTP_PASSWORD: 'smtp-pw',
      SMTP_STARTTLS: 'false',
      SMTP_SSL: 'false',
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const status = JSON.parse(r.stdout) as {
      components: { name: string; status: string; latest_heartbeat: string | null }[];
    };
    expect({ ...status, components: undefined }).toEqual({
      url: af.url,
      version: '3.3.2',
      healthy: true,
      alerts: `alerts: SMTP 127.0.0.1:${smtp.port} as alerts@example.com`,
      components: undefined,
    });
    expect(status.components.map((c) => [c.name, c.status, c.latest_heartbeat === null])).toEqual([
      ['metadatabase', 'healthy', true],
      ['scheduler', 'healthy', false],
      ['dag-processor', 'healthy', false],
      ['triggerer', 'healthy', false],
    ]);
  });

  test('runs --json: the cleared run and its tasks', async () => {
    const r = await runCli(['runs', 'afml_flaky', '--json'], env);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const runs = JSON.parse(r.stdout) as {
      run_id: string;
      logical_date: string;
      state: string;
      run_type: string;
      tasks: { task_id: string; state: string; try_number: number }[];
    }[];
    expect(
      runs.map((x) => [
        x.run_id,
        x.logical_date,
        x.state,
        x.run_type,
        x.tasks.map((t) => t.task_id).sort(),
      ]),
    ).toEqual([
      [
        'manual__2024-06-01T00:00:00+00:00',
        '2024-06-01T00:00:00Z',
        'success',
        'manual',
        ['after', 'flaky'],
      ],
    ]);
  });

  test('variables export - | variables import -, through the built CLI', async () => {
    await af.api('POST', '/api/v2/variables', { key: 'ROUND_TRIP', value: 'there and back' });
    const bin = path.join(ROOT, 'dist', 'cli', 'bin.js');
    const exported = spawnSync(process.execPath, [bin, 'variables', 'export', '-'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect([exported.status, exported.stderr]).toEqual([
      0,
      'exported 1 variable(s) to standard output\n',
    ]);
    expect(JSON.parse(exported.stdout)).toEqual({ ROUND_TRIP: 'there and back' });
    await af.api('DELETE', '/api/v2/variables/ROUND_TRIP');

    const imported = spawnSync(process.execPath, [bin, 'variables', 'import', '-'], {
      env: { ...process.env, ...env },
      input: exported.stdout,
      encoding: 'utf8',
    });
    expect([imported.status, imported.stdout]).toEqual([0, 'imported 1 variable(s): ROUND_TRIP\n']);
    const back = await af.api<{ value: string }>('GET', '/api/v2/variables/ROUND_TRIP');
    expect(back.data.value).toBe('there and back');
  });
});
