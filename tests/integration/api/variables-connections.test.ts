import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode } from '../../../cli/base/errors';
import {
  STANDALONE_START_BUDGET_MS,
  startAirflowStandalone,
  type AirflowStandalone,
} from '../support/airflow-standalone';
import { startSmtpSink } from '../support/smtp-sink';
import { runCli } from './run-cli';

/**
 * variables, connections and status commands against a real Airflow; every effect is
 * checked through the REST API (independently of our client) or the venv's `airflow` CLI.
 */

// Real processes: Airflow CLI calls take seconds on a small machine.
jest.setTimeout(60_000);

let af: AirflowStandalone;
let env: Record<string, string>;
let tmp: string;

beforeAll(async () => {
  af = await startAirflowStandalone();
  env = { AIRFLOW_URL: af.url, AIRFLOW_USERNAME: af.username, AIRFLOW_PASSWORD: af.password };
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-vars-'));
}, STANDALONE_START_BUDGET_MS);

afterAll(async () => {
  await af?.stop();
}, 120_000);

const apiVariable = async (key: string) =>
  (await af.api<{ value: string; description: string | null }>('GET', `/api/v2/variables/${key}`))
    .data;

describe('variables', () => {
  test('set-variable creates, then overwrites; get-variable prints the value', async () => {
    expect(await runCli(['set-variable', 'PROD_DIR', 'models/2024-01-01'], env)).toMatchObject({
      code: 0,
      stdout: 'set PROD_DIR\n',
    });
    expect((await apiVariable('PROD_DIR')).value).toBe('models/2024-01-01');
    await runCli(['set-variable', 'PROD_DIR', 'models/2024-02-02'], env);
    const cli = await af.airflow(['variables', 'get', 'PROD_DIR']);
    expect(cli.stdout.trim()).toBe('models/2024-02-02');
    expect(await runCli(['get-variable', 'PROD_DIR'], env)).toMatchObject({
      code: 0,
      stdout: 'models/2024-02-02\n',
    });
  });

  test('flags work as well as the environment, and .env in cwd is read', async () => {
    const flags = ['--airflow-url', af.url, '--username', af.username, '--password', af.password];
    expect((await runCli(['set-variable', 'FROM_FLAGS', 'f', ...flags])).code).toBe(0);
    const cwd = fs.mkdtempSync(path.join(tmp, 'dotenv-'));
    fs.writeFileSync(
      path.join(cwd, '.env'),
      `AIRFLOW_URL=${af.url}\nAIRFLOW_USERNAME=${af.username}\nAIRFLOW_PASSWORD="${af.password}"\n`,
    );
    expect(await runCli(['get-variable', 'FROM_FLAGS'], {}, cwd)).toMatchObject({
      code: 0,
      stdout: 'f\n',
    });
  });

  test('get-variable of a missing key: exit 8 and what to do', async () => {
    const r = await runCli(['get-variable', 'NO_SUCH_KEY'], env);
    expect(r.code).toBe(ExitCode.airflowApi);
    expect(r.stderr).toContain('error: Airflow has no variable "NO_SUCH_KEY"');
    expect(r.stderr).toContain('hint: set it with `airflow-ml set-variable KEY VALUE`');
  });

  test('variables import takes the `airflow variables` file shape', async () => {
    const file = path.join(tmp, 'import.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        IMP_TEXT: 'hello',
        IMP_OBJECT: { a: [1, 2] },
        IMP_NUMBER: 42,
        IMP_DESCRIBED: { value: 'v', description: 'why it exists' },
      }),
    );
    const r = await runCli(['variables', 'import', file], env);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('imported 4 variable(s)');
    expect((await apiVariable('IMP_TEXT')).value).toBe('hello');
    expect(JSON.parse((await apiVariable('IMP_OBJECT')).value)).toEqual({ a: [1, 2] });
    expect((await apiVariable('IMP_NUMBER')).value).toBe('42');
    expect(await apiVariable('IMP_DESCRIBED')).toMatchObject({
      value: 'v',
      description: 'why it exists',
    });
  });

  test('variables export writes what `airflow variables export` writes (mode 0600), minus masked values', async () => {
    await runCli(['set-variable', 'db_password', 'hidden-by-airflow'], env);
    const ours = path.join(tmp, 'ours.json');
    const r = await runCli(['variables', 'export', ours], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('left out db_password');
    expect(fs.statSync(ours).mode & 0o777).toBe(0o600);

    const theirs = path.join(tmp, 'theirs.json');
    const cli = await af.airflow(['variables', 'export', theirs]);
    expect(cli.code).toBe(0);
    const expected = JSON.parse(fs.readFileSync(theirs, 'utf8')) as Record<string, unknown>;
    delete expected.db_password;
    expect(JSON.parse(fs.readFileSync(ours, 'utf8'))).toEqual(expected);
    expect(Object.keys(expected)).toEqual(
      expect.arrayContaining(['IMP_OBJECT', 'IMP_DESCRIBED', 'PROD_DIR']),
    );

    // And it imports back unchanged.
    expect((await runCli(['variables', 'import', ours], env)).code).toBe(0);
    expect(JSON.parse((await apiVariable('IMP_OBJECT')).value)).toEqual({ a: [1, 2] });
  });

  test('variables import of a malformed file: exit 9, nothing sent', async () => {
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, '["not", "an", "object"]');
    const r = await runCli(['variables', 'import', file], env);
    expect(r.code).toBe(ExitCode.config);
    expect(r.stderr).toContain('must hold a JSON object of key to value');
  });
});

describe('connections', () => {
  test('add creates every field; the password comes from an env var and is stored', async () => {
    const r = await runCli(
      [
        'connections',
        'add',
        'warehouse',
        '--conn-type',
        'postgres',
        '--host',
        'db.internal',
        '--port',
        '5432',
        '--login',
        'etl',
        '--password-env',
        'WAREHOUSE_PW',
        '--schema',
        'analytics',
        '--extra',
        '{"sslmode": "require"}',
      ],
      { ...env, WAREHOUSE_PW: 'w4rehouse-pw' },
    );
    expect(r).toMatchObject({ code: 0, stdout: 'upserted connection warehouse\n' });
    expect(r.all).not.toContain('w4rehouse-pw');
    const cli = await af.airflow(['connections', 'get', 'warehouse', '-o', 'json']);
    const [conn] = JSON.parse(cli.stdout) as Record<string, unknown>[];
    expect(conn).toMatchObject({
      conn_type: 'postgres',
      host: 'db.internal',
      port: '5432',
      login: 'etl',
      password: 'w4rehouse-pw',
      schema: 'analytics',
    });
    const { data } = await af.api<{ extra: string }>('GET', '/api/v2/connections/warehouse');
    expect(JSON.parse(data.extra)).toEqual({ sslmode: 'require' });
  });

  test('add again overwrites: fields not given are cleared, except the password Airflow keeps', async () => {
    const r = await runCli(
      ['connections', 'add', 'warehouse', '--conn-type', 'postgres', '--host', 'db2'],
      env,
    );
    expect(r.code).toBe(0);
    const { data } = await af.api<Record<string, unknown>>('GET', '/api/v2/connections/warehouse');
    expect(data).toMatchObject({
      host: 'db2',
      port: null,
      login: null,
      schema: null,
      extra: null,
    });
    // Airflow ignores a null or empty password on update; the old one stays (documented).
    const cli = await af.airflow(['connections', 'get', 'warehouse', '-o', 'json']);
    expect((JSON.parse(cli.stdout) as { password: string }[])[0].password).toBe('w4rehouse-pw');
  });

  test('list shows connections with passwords masked', async () => {
    await runCli(
      [
        'connections',
        'add',
        'with_pw',
        '--conn-type',
        'http',
        '--host',
        'h',
        '--password-env',
        'PW',
      ],
      { ...env, PW: 'list-secret-pw' },
    );
    const r = await runCli(['connections', 'list'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+HOST\s+PORT\s+LOGIN\s+SCHEMA\s+PASSWORD\s+EXTRA$/);
    expect(lines.find((l) => l.startsWith('with_pw '))).toMatch(/^with_pw\s+http\s+h\s+\*\*\*$/);
    expect(lines.some((l) => l.startsWith('warehouse '))).toBe(true);
    expect(r.all).not.toContain('list-secret-pw');
  });

  test('bad input is refused before anything is sent', async () => {
    expect(
      (await runCli(['connections', 'add', 'x', '--conn-type', 'fs', '--extra', '[1]'], env)).code,
    ).toBe(ExitCode.usage);
    const missing = await runCli(
      ['connections', 'add', 'x', '--conn-type', 'fs', '--password-env', 'UNSET_VAR'],
      env,
    );
    expect(missing.code).toBe(ExitCode.config);
    expect(missing.stderr).toContain('UNSET_VAR: that environment variable is not set');
    expect((await runCli(['connections', 'add', 'x'], env)).code).toBe(ExitCode.usage);
  });
});

describe('status', () => {
  // A real SMTP server on loopback that wants a login, as the alert path status checks.
  const USER = 'alerts@example.com';
  const smtpEnv = (port: number, password: string) => ({
    AIRFLOW_URL: af.url,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(port),
    SMTP_STARTTLS: 'false',
    SMTP_USER: USER,
    SMTP_PASSWORD: password,
  });

  test('version, every component healthy and the SMTP alert path verified; no credentials needed', async () => {
    const smtp = await startSmtpSink({ user: USER, password: 'right-pw' });
    try {
      const r = await runCli(['status'], smtpEnv(smtp.port, 'right-pw'));
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.stdout).toContain(`Airflow 3.3.2 at ${af.url}`);
      for (const c of ['metadatabase', 'scheduler', 'dag-processor', 'triggerer']) {
        expect(r.stdout).toMatch(new RegExp(`^${c}\\s+healthy`, 'm'));
      }
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
        `alerts: SMTP 127.0.0.1:${smtp.port} as ${USER}`,
      );
      // Checked without sending anything.
      expect(smtp.mails).toEqual([]);
    } finally {
      await smtp.close();
    }
  });

  test('an SMTP server that refuses the login: exit 5 with its answer and what to fix', async () => {
    const smtp = await startSmtpSink({ user: USER, password: 'right-pw' });
    try {
      const r = await runCli(['status'], smtpEnv(smtp.port, 'wrong-Pa55'));
      expect(r.code).toBe(ExitCode.auth);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
        `alerts: SMTP 127.0.0.1:${smtp.port} as ${USER}: REFUSED`,
      );
      expect(r.stderr).toBe(
        `error: 127.0.0.1:${smtp.port} refused the login (EAUTH: Invalid login: 535 Invalid username or password)\n` +
          'hint: check SMTP_USER and SMTP_PASSWORD\n',
      );
      expect(r.all).not.toContain('wrong-Pa55');
    } finally {
      await smtp.close();
    }
  });

  test('no SMTP_HOST and no mail sink answering: exit 1, alerts would be lost', async () => {
    const port = await closedPort();
    const r = await runCli(['status'], { AIRFLOW_URL: af.url, AIRFLOW_ML_MAIL_PORT: String(port) });
    expect(r.code).toBe(ExitCode.checkFailed);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      `alerts: local mail sink, read with \`airflow-ml alerts list\` (http://127.0.0.1:${port}): NOT ANSWERING`,
    );
    expect(r.stderr).toBe(
      `error: the local mail sink does not answer, so failure alerts are lost: no mail sink answers at http://127.0.0.1:${port} (connection refused)\n` +
        'hint: start the stack with `airflow-ml up` (its mail-sink service receives the alerts); if it is running, AIRFLOW_ML_MAIL_PORT must match the port mail-sink publishes (`docker compose ps mail-sink`)\n',
    );
  });
});

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const net = await import('node:net');
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as import('node:net').AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
