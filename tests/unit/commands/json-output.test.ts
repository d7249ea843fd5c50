import { runMain } from '../../support/run-main';
import { startSmtpSink, type SmtpSink } from '../../integration/support/smtp-sink';
import { startFakeServer, type FakeServer } from '../ops/airflow/fake-server';

/**
 * Every read command's --json parses, with exactly the documented field names and values
 * (README, "Machine-readable output"). Airflow is an in-process fake answering what the
 * real API answers (shapes from Airflow 3.3's v2 OpenAPI document).
 */

const RUN = {
  dag_run_id: 'manual__2026-03-02T00:00:00+00:00',
  dag_id: 'predict',
  logical_date: '2026-03-02T00:00:00Z',
  queued_at: '2026-03-02T00:00:01Z',
  start_date: '2026-03-02T00:00:02Z',
  end_date: '2026-03-02T00:01:00Z',
  run_after: '2026-03-02T00:00:00Z',
  run_type: 'manual',
  state: 'success',
};

const ROUTES: Record<string, unknown> = {
  '/api/v2/monitor/health': {
    metadatabase: { status: 'healthy' },
    scheduler: { status: 'healthy', latest_scheduler_heartbeat: '2026-03-02T10:00:00+00:00' },
    triggerer: { status: 'unhealthy', latest_triggerer_heartbeat: '2026-03-02T09:00:00+00:00' },
    dag_processor: {
      status: 'healthy',
      latest_dag_processor_heartbeat: '2026-03-02T10:00:01+00:00',
    },
  },
  '/api/v2/version': { version: '3.3.2', git_version: null },
  '/api/v2/dags/predict': { dag_id: 'predict', is_paused: false },
  '/api/v2/dags/predict/dagRuns': { dag_runs: [RUN], total_entries: 1 },
  // runs reads every run's task instances in one batched POST.
  '/api/v2/dags/~/dagRuns/~/taskInstances/list': {
    task_instances: [
      {
        task_id: 'wait_for_data',
        dag_run_id: RUN.dag_run_id,
        state: 'success',
        try_number: 1,
        map_index: -1,
      },
      {
        task_id: 'predict',
        dag_run_id: RUN.dag_run_id,
        state: 'failed',
        try_number: 2,
        map_index: -1,
      },
    ],
    total_entries: 2,
  },
  '/api/v2/connections': {
    connections: [
      {
        connection_id: 'fs_default',
        conn_type: 'fs',
        host: null,
        port: null,
        login: null,
        schema: null,
        password: null,
        extra: '{"path": "/data"}',
        description: null,
      },
      {
        connection_id: 'smtp_default',
        conn_type: 'smtp',
        host: 'mail',
        port: 1025,
        login: 'alerts',
        schema: '',
        password: '***',
        extra: 'not json',
        description: null,
      },
    ],
    total_entries: 2,
  },
  '/api/v2/variables/PROD_DIR': {
    key: 'PROD_DIR',
    value: 'models/production',
    description: 'the model predict uses',
    is_encrypted: true,
  },
  '/api/v2/variables/api_token': {
    key: 'api_token',
    value: '***',
    description: null,
    is_encrypted: true,
  },
};

let server: FakeServer;
let smtp: SmtpSink;
const saved = { ...process.env };
beforeAll(async () => {
  server = await startFakeServer((req) => {
    if (req.url === '/auth/token') return { status: 201, body: { access_token: 'tok' } };
    const body = ROUTES[req.url.split('?')[0]];
    return body === undefined
      ? { status: 404, body: { detail: 'Not Found' } }
      : { status: 200, body };
  });
  // The alert path `status` checks: an SMTP server on loopback that accepts the login.
  smtp = await startSmtpSink({ user: 'alerts@example.com', password: 'smtp-pw' });
  Object.assign(process.env, {
    AIRFLOW_URL: server.url,
    AIRFLOW_USERNAME: 'admin',
    AIRFLOW_PASSWORD: 'pw',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    SMTP_USER: 'alerts@example.com',
    SMTP_PASSWORD: 'smtp-pw',
    SMTP_STARTTLS: 'false',
    SMTP_SSL: 'false',
  });
});
afterAll(async () => {
  await server.close();
  await smtp.close();
  for (const k of Object.keys(process.env)) {
    if (/^(AIRFLOW_URL|AIRFLOW_USERNAME|AIRFLOW_PASSWORD|SMTP_.*)$/.test(k)) delete process.env[k];
  }
  Object.assign(process.env, saved);
});

async function json(...args: string[]): Promise<unknown> {
  const r = await runMain(...args);
  expect([r.code, r.stderr]).toEqual([0, '']);
  return JSON.parse(r.stdout) as unknown;
}

test('runs --json', async () => {
  expect(await json('runs', 'predict', '--json')).toEqual([
    {
      run_id: 'manual__2026-03-02T00:00:00+00:00',
      logical_date: '2026-03-02T00:00:00Z',
      state: 'success',
      run_type: 'manual',
      start_date: '2026-03-02T00:00:02Z',
      end_date: '2026-03-02T00:01:00Z',
      tasks: [
        { task_id: 'wait_for_data', state: 'success', try_number: 1 },
        { task_id: 'predict', state: 'failed', try_number: 2 },
      ],
    },
  ]);
});

test('connections list --json: has_password instead of the password, extra parsed', async () => {
  expect(await json('connections', 'list', '--json')).toEqual([
    {
      connection_id: 'fs_default',
      conn_type: 'fs',
      host: null,
      port: null,
      login: null,
      schema: null,
      has_password: false,
      extra: { path: '/data' },
    },
    {
      connection_id: 'smtp_default',
      conn_type: 'smtp',
      host: 'mail',
      port: 1025,
      login: 'alerts',
      schema: '',
      has_password: true,
      extra: 'not json',
    },
  ]);
});

test('get-variable --json', async () => {
  expect(await json('get-variable', 'PROD_DIR', '--json')).toEqual({
    key: 'PROD_DIR',
    value: 'models/production',
    description: 'the model predict uses',
    masked: false,
  });
  const r = await runMain('get-variable', 'api_token', '--json');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({
    key: 'api_token',
    value: '***',
    description: null,
    masked: true,
  });
});

test('images tags --json: one {step, image} per step image, sorted by step', async () => {
  const rows = (await json('images', 'tags', '--json')) as { step: string; image: string }[];
  expect(rows.map((r) => r.step)).toEqual([
    'gbm-train',
    'generate',
    'predict',
    'preprocess',
    'promote',
    'split',
    'train',
    'validate',
  ]);
  for (const r of rows) expect(r.image).toMatch(new RegExp(`^airflow-ml-${r.step}:[0-9a-f]{12}$`));
  const table = await runMain('images', 'tags');
  expect(table.stdout.split('\n')[0]).toBe(`STEP${' '.repeat(8)}IMAGE`);
});

test('status --json: every component, and the exit code still says unhealthy (1)', async () => {
  // The fake is not the compose stack: keep `status` from reporting on a stack that may exist
  // on this machine (with no engine it reports on the Airflow it reaches over HTTP alone).
  process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
  const r = await runMain('status', '--json');
  delete process.env.DOCKER_HOST;
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(
    'error: Airflow is not healthy: triggerer unhealthy\nhint: start the missing component(s); a component is unhealthy when its heartbeat is older than its threshold\n',
  );
  expect(JSON.parse(r.stdout)).toEqual({
    url: server.url,
    version: '3.3.2',
    healthy: false,
    alerts: `alerts: SMTP 127.0.0.1:${smtp.port} as alerts@example.com`,
    components: [
      { name: 'metadatabase', status: 'healthy', latest_heartbeat: null },
      { name: 'scheduler', status: 'healthy', latest_heartbeat: '2026-03-02T10:00:00+00:00' },
      { name: 'dag-processor', status: 'healthy', latest_heartbeat: '2026-03-02T10:00:01+00:00' },
      { name: 'triggerer', status: 'unhealthy', latest_heartbeat: '2026-03-02T09:00:00+00:00' },
    ],
  });
});
