import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateFernetKey } from '../../../cli/ops/fernet/key';
import { requireAirflowVenv } from '../support/airflow-standalone';
import { ROOT } from '../support/cli';

/**
 * docker/stack/airflow-init.py (the stack's admin user and connections) against a real
 * Airflow 3.3 from the project venv with the FAB auth manager and SQLite, configured the way
 * docker-compose.yml configures the containers: the database URL and the Fernet key through
 * AIRFLOW__..._CMD from secret files, the admin and SMTP passwords from secret files.
 * Passwords start with `-` and hold quotes, `$`, spaces and non-ASCII letters; they must
 * work exactly as written and never appear on a process command line or in the output.
 */

const INIT = path.join(ROOT, 'docker', 'stack', 'airflow-init.py');
const ADMIN_PASSWORD = `-Pw 'sq' "dq" $HOME \${PATH} ünï --role Viewer`;
const SMTP_PASSWORD = `-smtp 'a' "b" $USER ß x`;

let venv: string;
let home: string;
let secrets: string;
let env: NodeJS.ProcessEnv;

interface Run {
  code: number;
  output: string;
  /** `ps` snapshots of every process's command line taken while it ran. */
  commandLines: string[];
}

/** Run a Python program (the script path, or `-` with code on stdin) in the venv. */
function runPython(args: string[], stdin?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(path.join(venv, 'bin', 'python'), args, {
      env: { ...env, ...extraEnv },
    });
    let output = '';
    const commandLines: string[] = [];
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const sampler = setInterval(() => {
      execFile('ps', ['-eo', 'args'], { maxBuffer: 16 << 20 }, (_err, stdout) => {
        if (stdout) commandLines.push(stdout);
      });
    }, 50);
    if (stdin !== undefined) child.stdin.end(stdin);
    child.on('close', (code) => {
      clearInterval(sampler);
      resolve({ code: code ?? -1, output, commandLines });
    });
  });
}

/** What the database holds after a run, checked by Airflow and FAB themselves. */
const CHECK = `
import json, logging, os, warnings
logging.disable(logging.INFO)
warnings.simplefilter("ignore")
from pathlib import Path
from flask import current_app
from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder
from airflow.models.connection import Connection
from airflow.models.variable import Variable
from airflow.utils.session import create_session
from sqlalchemy import select

secrets = Path(os.environ["AIRFLOW_ML_SECRETS_DIR"])
password = (secrets / "admin_password").read_text(encoding="utf-8")
out = {}
with get_application_builder() as ab:
    with current_app.test_request_context():
        out["login"] = bool(ab.sm.auth_user_db("airflow", password))
        out["login_without_dash"] = bool(ab.sm.auth_user_db("airflow", password[1:]))
        out["login_previous"] = bool(ab.sm.auth_user_db("airflow", os.environ.get("PREVIOUS", "x")))
    out["roles"] = [r.name for r in ab.sm.find_user(username="airflow").roles]
with create_session() as s:
    smtp = s.scalar(select(Connection).where(Connection.conn_id == "smtp_default"))
    fs = s.scalar(select(Connection).where(Connection.conn_id == "fs_default"))
    var = s.scalar(select(Variable).where(Variable.key == "PROD_DIR"))
    out["smtp_password_matches"] = smtp.password == (secrets / "smtp_password").read_text(encoding="utf-8")
    out["smtp_encrypted"] = smtp.is_encrypted
    out["smtp"] = [smtp.host, smtp.port, smtp.login, json.loads(smtp.extra)]
    out["fs_extra"] = json.loads(fs.extra)
    out["prod_dir"] = var.val
print("RESULT " + json.dumps(out))
`;

async function check(previous?: string): Promise<Record<string, unknown>> {
  const res = await runPython(['-'], CHECK, previous ? { PREVIOUS: previous } : {});
  const line = res.output.split('\n').find((l) => l.startsWith('RESULT '));
  if (res.code !== 0 || !line) throw new Error(`check failed (${res.code}):\n${res.output}`);
  return JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
}

function writeSecret(name: string, value: string): void {
  fs.writeFileSync(path.join(secrets, name), value, { mode: 0o640 });
}

function expectNowhere(run: Run, values: string[]): void {
  // The sampler saw the script run, and no command line ever held a password.
  expect(run.commandLines.some((ps) => ps.includes('airflow-init.py'))).toBe(true);
  for (const value of values) {
    expect(run.commandLines.filter((ps) => ps.includes(value))).toEqual([]);
    expect(run.output).not.toContain(value);
  }
}

describe('docker/stack/airflow-init.py (admin user, PROD_DIR, connections)', () => {
  beforeAll(async () => {
    venv = requireAirflowVenv();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-init-'));
    secrets = path.join(home, 'secrets');
    fs.mkdirSync(secrets, { mode: 0o700 });
    writeSecret('sql_alchemy_conn', `sqlite:///${home}/airflow.db`);
    writeSecret('fernet_key', generateFernetKey());
    writeSecret('admin_password', ADMIN_PASSWORD);
    writeSecret('smtp_password', SMTP_PASSWORD);
    env = {
      PATH: process.env.PATH,
      HOME: home,
      LANG: 'C.UTF-8',
      AIRFLOW_HOME: home,
      AIRFLOW__CORE__LOAD_EXAMPLES: 'false',
      AIRFLOW__CORE__AUTH_MANAGER:
        'airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager',
      // As docker-compose.yml does: the sensitive options from files, through commands.
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD: `cat ${secrets}/sql_alchemy_conn`,
      AIRFLOW__CORE__FERNET_KEY_CMD: `cat ${secrets}/fernet_key`,
      AIRFLOW_ML_SECRETS_DIR: secrets,
      AIRFLOW_ML_DATA_ROOT: path.join(home, 'data'),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: '2525',
      SMTP_USER: 'alerts@example.com',
      SMTP_STARTTLS: 'false',
      // As docker-compose.yml passes them always; SMTP_HOST wins while it is set.
      AIRFLOW_ML_MAIL_SINK_HOST: 'mail-sink',
      AIRFLOW_ML_MAIL_SINK_PORT: '1025',
    };
    const migrate = await new Promise<number>((resolve) => {
      const child = spawn(path.join(venv, 'bin', 'airflow'), ['db', 'migrate'], {
        env,
        stdio: 'ignore',
      });
      child.on('close', (code) => resolve(code ?? -1));
    });
    expect(migrate).toBe(0);
  }, 180_000);

  afterAll(() => {
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('creates the admin user and connections with passwords exactly as written, on no command line', async () => {
    const run = await runPython([INIT]);
    expect({ code: run.code, output: run.output }).toMatchObject({ code: 0 });
    expect(run.output).toContain("[airflow-init] admin user 'airflow' created");
    expect(run.output).toContain('[airflow-init] connections: fs_default, smtp_default');
    expectNowhere(run, [ADMIN_PASSWORD, SMTP_PASSWORD]);
    expect(await check()).toEqual({
      login: true,
      login_without_dash: false,
      login_previous: false,
      // `--role Viewer` inside the password is just text.
      roles: ['Admin'],
      smtp_password_matches: true,
      smtp_encrypted: true,
      smtp: [
        '127.0.0.1',
        2525,
        'alerts@example.com',
        { disable_ssl: true, disable_tls: true, from_email: 'alerts@example.com' },
      ],
      fs_extra: { path: path.join(home, 'data') },
      prod_dir: 'models/production',
    });
  }, 120_000);

  it('on a re-run, sets a changed password from the file and keeps PROD_DIR', async () => {
    const changed = `-new "pass" $ word é`;
    writeSecret('admin_password', changed);
    const run = await runPython([INIT], undefined, { AIRFLOW_ML_PROD_DIR: 'models/other' });
    expect(run.code).toBe(0);
    expect(run.output).toContain('password updated from the secret file');
    expect(run.output).toContain('variable PROD_DIR kept');
    expectNowhere(run, [changed, ADMIN_PASSWORD, SMTP_PASSWORD]);
    expect(await check(ADMIN_PASSWORD)).toMatchObject({
      login: true,
      login_previous: false,
      prod_dir: 'models/production',
    });
  }, 120_000);

  it('with SMTP_HOST empty, points smtp_default at the local mail sink: no login, no TLS, a fixed sender', async () => {
    const run = await runPython([INIT], undefined, { SMTP_HOST: '' });
    expect(run.code).toBe(0);
    expect(run.output).toContain('[airflow-init] connections: fs_default, smtp_default');
    expect(await check()).toMatchObject({
      smtp_password_matches: false,
      smtp_encrypted: false,
      smtp: [
        'mail-sink',
        1025,
        null,
        { disable_ssl: true, disable_tls: true, from_email: 'airflow-ml@localhost' },
      ],
    });
  }, 120_000);

  it('refuses to run without an admin password file', async () => {
    fs.rmSync(path.join(secrets, 'admin_password'));
    const run = await runPython([INIT]);
    expect(run.code).toBe(1);
    expect(run.output).toContain('admin_password is missing or empty');
  }, 120_000);
});
