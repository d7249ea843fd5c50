import { createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AirflowClient } from '../../../cli/ops/airflow/client';
import { getVariable, setVariable } from '../../../cli/ops/airflow/variables';
import { ExitCode } from '../../../cli/base/errors';
import {
  STANDALONE_START_BUDGET_MS,
  startAirflowStandalone,
  type AirflowStandalone,
} from '../support/airflow-standalone';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { runCli } from './run-cli';

/** Faults against a real Airflow: each gives a clear message and its documented exit code. */

// Real processes: Airflow CLI calls take seconds on a small machine.
jest.setTimeout(60_000);

let af: AirflowStandalone;
let proxy: FaultProxy;

/** A DAG to trigger; manual only, so nothing but the tests creates its runs. */
const TRIGGER_DAG = `
import datetime
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(
    dag_id="afml_faults",
    schedule=None,
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
):
    EmptyOperator(task_id="noop")
`;

/** A daily DAG to backfill; paused (new DAGs are), so its backfill runs only wait. */
const DAILY_DAG = TRIGGER_DAG.replace('"afml_faults"', '"afml_faults_daily"').replace(
  'schedule=None',
  'schedule="@daily"',
);

beforeAll(async () => {
  af = await startAirflowStandalone();
  proxy = await startFaultProxy(af.url);
  fs.writeFileSync(path.join(af.dagsFolder, 'afml_faults.py'), TRIGGER_DAG);
  fs.writeFileSync(path.join(af.dagsFolder, 'afml_faults_daily.py'), DAILY_DAG);
  const deadline = Date.now() + 120_000;
  for (const id of ['afml_faults', 'afml_faults_daily']) {
    while ((await af.api('GET', `/api/v2/dags/${id}`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`${id} was not parsed within 120 s`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}, STANDALONE_START_BUDGET_MS);

afterAll(async () => {
  await proxy?.close();
  await af?.stop();
}, 120_000);

beforeEach(() => proxy.clear());

/** Settings through the proxy, so every request is counted. */
const viaProxy = () => ({
  AIRFLOW_URL: proxy.url,
  AIRFLOW_USERNAME: af.username,
  AIRFLOW_PASSWORD: af.password,
});

function expectNoSecrets(text: string): void {
  expect(text).not.toContain(af.password);
  expect(text).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
}

test('Airflow not running: exit 4 after retries, says what to check', async () => {
  const dead = await closedPort();
  const started = Date.now();
  const r = await runCli(['set-variable', 'K', 'V'], {
    AIRFLOW_URL: `http://127.0.0.1:${dead}`,
    AIRFLOW_USERNAME: 'admin',
    AIRFLOW_PASSWORD: af.password,
  });
  expect(r.code).toBe(ExitCode.airflowUnreachable);
  expect(r.stderr).toContain(
    `error: cannot reach Airflow at http://127.0.0.1:${dead} (ECONNREFUSED after 4 attempts)`,
  );
  expect(r.stderr).toContain('hint: is Airflow running?');
  // 0.5 + 1 + 2 s of backoff: bounded, not forever.
  expect(Date.now() - started).toBeGreaterThanOrEqual(3400);
  expectNoSecrets(r.all);
});

test('wrong password: exit 5, one login attempt, the password is not echoed', async () => {
  const r = await runCli(['get-variable', 'K'], {
    ...viaProxy(),
    AIRFLOW_PASSWORD: 'definitely-Wrong-pw',
  });
  expect(r.code).toBe(ExitCode.auth);
  expect(r.stderr).toMatch(
    /error: Airflow at http:\/\/127\.0\.0\.1:\d+ refused the username or password \(401/,
  );
  expect(r.stderr).toContain('hint: check AIRFLOW_USERNAME and AIRFLOW_PASSWORD');
  expect(r.all).not.toContain('definitely-Wrong-pw');
  expect(proxy.count('POST /auth/token')).toBe(1);
  expect(proxy.count('GET /api/v2/variables/K')).toBe(0);
});

test.each([
  ['expired', () => mintToken(af.jwtSecret, -60), 401, 'Token Expired'],
  ['garbled', () => 'eyJhbGciOiJIUzUxMiJ9.garbled.token', 403, 'Invalid JWT token'],
  [
    'signed by another secret',
    () => mintToken(randomBytes(32).toString('hex'), 3600),
    403,
    'Invalid JWT token',
  ],
])(
  'a token that is %s is replaced by exactly one re-login',
  async (_what, makeToken, status, detail) => {
    const token = makeToken();
    // Precondition: Airflow itself refuses this token the way the client expects.
    const probe = await fetch(`${af.url}/api/v2/variables`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect([probe.status, ((await probe.json()) as { detail: string }).detail]).toEqual([
      status,
      detail,
    ]);

    const client = new AirflowClient({
      url: proxy.url,
      username: af.username,
      password: af.password,
      token,
    });
    await setVariable(client, 'RELOGIN', 'ok');
    expect((await getVariable(client, 'RELOGIN')).value).toBe('ok');
    expect(proxy.count('POST /auth/token')).toBe(1);
    // The refused request, its retry with the fresh token, then the GET.
    expect(proxy.count('PATCH /api/v2/variables')).toBe(2);
    expect(client.loginCount).toBe(1);
  },
);

test('an existing variable is updated, not an error', async () => {
  expect((await runCli(['set-variable', 'EXISTING', 'one'], viaProxy())).code).toBe(0);
  const again = await runCli(['set-variable', 'EXISTING', 'two'], viaProxy());
  expect(again).toMatchObject({ code: 0, stdout: 'set EXISTING\n' });
  expect((await af.api<{ value: string }>('GET', '/api/v2/variables/EXISTING')).data.value).toBe(
    'two',
  );
});

test('an existing connection is updated, not an error', async () => {
  const add = (host: string) =>
    runCli(
      ['connections', 'add', 'existing_conn', '--conn-type', 'http', '--host', host],
      viaProxy(),
    );
  expect((await add('first.example')).code).toBe(0);
  expect(await add('second.example')).toMatchObject({
    code: 0,
    stdout: 'upserted connection existing_conn\n',
  });
  const conn = await af.api<{ host: string }>('GET', '/api/v2/connections/existing_conn');
  expect(conn.data.host).toBe('second.example');
});

test('a transient 500 on a GET is retried and the command succeeds', async () => {
  await af.api('POST', '/api/v2/variables', { key: 'AFTER_500', value: 'v' });
  proxy.inject({ route: 'GET /api/v2/variables/AFTER_500', answer: { status: 500 }, times: 2 });
  const r = await runCli(['get-variable', 'AFTER_500'], viaProxy());
  expect(r).toMatchObject({ code: 0, stdout: 'v\n' });
  expect(proxy.count('GET /api/v2/variables/AFTER_500')).toBe(3);
});

test('a persistent 500 on a GET is retried a bounded number of times, then reported (exit 8)', async () => {
  proxy.inject({
    route: 'GET /api/v2/variables/NEVER',
    answer: { status: 500, body: { detail: 'injected boom' } },
  });
  const r = await runCli(['get-variable', 'NEVER'], viaProxy());
  expect(r.code).toBe(ExitCode.airflowApi);
  expect(r.stderr).toContain(
    `error: GET ${proxy.url}/api/v2/variables/NEVER answered 500 after 4 attempts: {"detail":"injected boom"}`,
  );
  expect(r.stderr).toContain(
    'hint: Airflow failed internally; its api-server log has the traceback',
  );
  expect(proxy.count('GET /api/v2/variables/NEVER')).toBe(4);
  expectNoSecrets(r.all);
});

test('GETs are retried after a connection reset', async () => {
  await af.api('POST', '/api/v2/variables', { key: 'AFTER_RESET', value: 'kept' });
  proxy.inject({ route: 'GET /api/v2/variables/AFTER_RESET', answer: 'reset', times: 2 });
  const r = await runCli(['get-variable', 'AFTER_RESET'], viaProxy());
  expect(r).toMatchObject({ code: 0, stdout: 'kept\n' });
  expect(proxy.count('GET /api/v2/variables/AFTER_RESET')).toBe(3);
});

test('a PATCH answered 500 is sent once, not repeated (exit 8)', async () => {
  proxy.inject({ route: 'PATCH /api/v2/variables', answer: { status: 500 } });
  const r = await runCli(['set-variable', 'PATCH_500', 'v'], viaProxy());
  expect(r.code).toBe(ExitCode.airflowApi);
  expect(r.stderr).toContain(
    `error: PATCH ${proxy.url}/api/v2/variables answered 500: {"detail":"injected fault"}`,
  );
  expect(proxy.count('PATCH /api/v2/variables')).toBe(1);
});

test('a POST is never sent twice after a reset: the trigger is reported, not repeated (exit 4)', async () => {
  const route = 'POST /api/v2/dags/afml_faults/dagRuns';
  proxy.inject({ route, answer: 'reset' });
  const r = await runCli(['trigger', 'afml_faults', '--date', '2024-02-01'], viaProxy());
  expect(r.code).toBe(ExitCode.airflowUnreachable);
  expect(r.stderr).toContain(
    `error: the connection to Airflow at ${proxy.url} broke after the request was sent (ECONNRESET): POST ${proxy.url}/api/v2/dags/afml_faults/dagRuns; not repeated, because Airflow may have applied it`,
  );
  expect(proxy.count(route)).toBe(1);
  // It looked for the run by the id it sent, and Airflow never saw the POST: no run.
  expect(
    proxy.count(
      `GET /api/v2/dags/afml_faults/dagRuns/${encodeURIComponent('manual__2024-02-01T00:00:00+00:00')}`,
    ),
  ).toBe(1);
  const runs = await af.api<{ dag_runs: unknown[] }>('GET', '/api/v2/dags/afml_faults/dagRuns');
  expect(runs.data.dag_runs).toEqual([]);
});

test('a PATCH is never sent twice after a reset (exit 4)', async () => {
  proxy.inject({ route: 'PATCH /api/v2/variables', answer: 'reset' });
  const r = await runCli(['set-variable', 'PATCH_RESET', 'v'], viaProxy());
  expect(r.code).toBe(ExitCode.airflowUnreachable);
  expect(r.stderr).toContain('broke after the request was sent (ECONNRESET): PATCH');
  expect(proxy.count('PATCH /api/v2/variables')).toBe(1);
});

test('a trigger whose answer was lost finds its run by id and reports success (exit 0)', async () => {
  const route = 'POST /api/v2/dags/afml_faults/dagRuns';
  const runId = 'manual__2024-03-01T00:00:00+00:00';
  proxy.inject({ route, answer: 'lose-answer' });
  const r = await runCli(['trigger', 'afml_faults', '--date', '2024-03-01'], viaProxy());
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`${runId}\n`);
  expect(r.stderr).toContain('the answer to the trigger was lost (ECONNRESET)\n');
  expect(r.stderr).toContain(`run ${runId} exists in Airflow, so the trigger worked\n`);
  expect(proxy.count(route)).toBe(1);
  const runs = await af.api<{ dag_runs: { dag_run_id: string; logical_date: string }[] }>(
    'GET',
    '/api/v2/dags/afml_faults/dagRuns',
  );
  expect(runs.data.dag_runs.map((x) => [x.dag_run_id, x.logical_date])).toEqual([
    [runId, '2024-03-01T00:00:00Z'],
  ]);
});

test('a trigger answered 502 with no run behind it reports the 502, sent once (exit 8)', async () => {
  // The proxy answers 502 itself: Airflow never saw this POST, so the lookup by run id finds
  // nothing and the 502 is reported as it is.
  const route = 'POST /api/v2/dags/afml_faults/dagRuns';
  proxy.inject({ route, answer: { status: 502 } });
  const r = await runCli(['trigger', 'afml_faults', '--date', '2024-04-01'], viaProxy());
  expect(r.code).toBe(ExitCode.airflowApi);
  expect(r.stderr).toContain(
    `error: POST ${proxy.url}/api/v2/dags/afml_faults/dagRuns answered 502`,
  );
  expect(proxy.count(route)).toBe(1);
});

describe('backfill creation (a POST)', () => {
  const route = 'POST /api/v2/backfills';
  const backfills = async () =>
    (
      await af.api<{ backfills: { id: number; from_date: string; completed_at: string | null }[] }>(
        'GET',
        '/api/v2/backfills?dag_id=afml_faults_daily',
      )
    ).data.backfills;
  const cancelAll = async () => {
    for (const b of await backfills()) {
      if (b.completed_at === null) await af.api('PUT', `/api/v2/backfills/${b.id}/cancel`);
    }
  };
  afterEach(cancelAll);

  test('answered 503 with nothing created: sent again, and it works (exit 0)', async () => {
    const before = (await backfills()).length;
    proxy.inject({
      route,
      answer: { status: 503, body: { detail: 'Database is locked.' } },
      times: 1,
    });
    const r = await runCli(
      ['backfill', 'afml_faults_daily', '--from', '2024-01-01', '--to', '2024-01-03'],
      viaProxy(),
    );
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      0,
      'follow it: airflow-ml backfill afml_faults_daily --status; stop it: airflow-ml backfill afml_faults_daily --cancel',
    ]);
    expect(proxy.count(route)).toBe(2);
    expect((await backfills()).length).toBe(before + 1);
  });

  test('its answer lost after Airflow created it: found, success, sent once (exit 0)', async () => {
    const before = (await backfills()).length;
    proxy.inject({ route, answer: 'lose-answer' });
    const r = await runCli(
      ['backfill', 'afml_faults_daily', '--from', '2024-02-01', '--to', '2024-02-03'],
      viaProxy(),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('the answer to the backfill request was lost (ECONNRESET)\n');
    expect(r.stdout).toMatch(
      /^backfill \d+ of afml_faults_daily: 3 run\(s\) from 2024-02-01 to 2024-02-03 /,
    );
    expect(proxy.count(route)).toBe(1);
    expect((await backfills()).length).toBe(before + 1);
  });

  test('a reset before Airflow saw it: reported, never sent twice (exit 4)', async () => {
    const before = (await backfills()).length;
    proxy.inject({ route, answer: 'reset' });
    const r = await runCli(
      ['backfill', 'afml_faults_daily', '--from', '2024-03-01', '--to', '2024-03-03'],
      viaProxy(),
    );
    expect(r.code).toBe(ExitCode.airflowUnreachable);
    expect(r.stderr).toContain(
      `error: the connection to Airflow at ${proxy.url} broke after the request was sent (ECONNRESET): POST ${proxy.url}/api/v2/backfills; not repeated, because Airflow may have applied it`,
    );
    expect(proxy.count(route)).toBe(1);
    expect((await backfills()).length).toBe(before);
  });
});

test('a request that hangs times out with exit 4 and is not retried', async () => {
  proxy.inject({ route: 'GET /api/v2/variables/SLOW', answer: 'hang' });
  const started = Date.now();
  const r = await runCli(['get-variable', 'SLOW', '--http-timeout', '1'], viaProxy());
  expect(r.code).toBe(ExitCode.airflowUnreachable);
  expect(r.stderr).toContain(
    `error: no answer from Airflow within 1 s: GET ${proxy.url}/api/v2/variables/SLOW`,
  );
  expect(r.stderr).toContain('--http-timeout');
  expect(Date.now() - started).toBeLessThan(5000);
  expect(proxy.count('GET /api/v2/variables/SLOW')).toBe(1);
});

test('credentials never appear, even with --verbose and in errors echoing the request', async () => {
  const verbose = await runCli(['set-variable', 'V1', 'x', '--verbose'], viaProxy());
  expect(verbose.code).toBe(0);
  expect(verbose.stderr).toMatch(/\[http\] POST http:\/\/127\.0\.0\.1:\d+\/auth\/token -> 201/);
  expectNoSecrets(verbose.all);

  // Airflow's 422 answers echo the body; here the body holds a connection password.
  const secret = 'conn-Pa55-' + randomBytes(4).toString('hex');
  const rejected = await runCli(
    [
      'connections',
      'add',
      'bad id!',
      '--conn-type',
      'http',
      '--password-env',
      'CONN_PW',
      '--verbose',
    ],
    { ...viaProxy(), CONN_PW: secret },
  );
  expect(rejected.code).toBe(ExitCode.airflowApi);
  expect(rejected.stderr).toContain('answered 422');
  expect(rejected.all).not.toContain(secret);
  expectNoSecrets(rejected.all);
});

/** A JWT like the api-server's, signed with `secret`, expiring `ttl` seconds from now. */
function mintToken(secret: string, ttl: number): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS512', kid: 'not-used', typ: 'JWT' });
  const body = b64({
    sub: af.username,
    role: 'admin',
    teams: [],
    jti: randomBytes(16).toString('hex'),
    aud: 'apache-airflow',
    nbf: now - 120,
    iat: now - 120,
    exp: now + ttl,
  });
  const sig = createHmac('sha512', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
