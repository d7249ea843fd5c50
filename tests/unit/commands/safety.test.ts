import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { readVariablesFile } from '../../../cli/ops/airflow/variables-io';
import { confirmDestructive } from '../../../cli/config/confirm';
import { ExitCode, UsageError } from '../../../cli/base/errors';
import { runMain } from '../../support/run-main';

/**
 * Safety conventions that need no Airflow: confirmation before deleting data, --dry-run that
 * writes and sends nothing, `-` for standard input, usage errors before configuration.
 */

const NO_AIRFLOW = {
  AIRFLOW_URL: 'http://127.0.0.1:9',
  AIRFLOW_USERNAME: 'a',
  AIRFLOW_PASSWORD: 'b',
};
const saved = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

function tty(answer: string | undefined): PassThrough & { isTTY: boolean } {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  if (answer !== undefined) input.end(`${answer}\n`);
  else input.end();
  return input;
}

describe('confirmDestructive', () => {
  const what = "Airflow's database volume";
  test('no terminal: refuses (exit 2), naming --yes', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: false });
    const err = (await confirmDestructive({ what, yesFlag: '--yes', input }).catch(
      (e: unknown) => e,
    )) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect([err.exitCode, err.message, err.hint]).toEqual([
      ExitCode.usage,
      "this would delete Airflow's database volume, and there is no terminal to confirm it on",
      'pass --yes to confirm',
    ]);
  });

  test('a terminal that answers "yes" goes on; anything else is refused', async () => {
    const output = new PassThrough();
    let asked = '';
    output.on('data', (d: Buffer) => (asked += d.toString()));
    await expect(
      confirmDestructive({ what, yesFlag: '--yes', input: tty('yes'), output }),
    ).resolves.toBeUndefined();
    expect(asked).toBe(
      `This deletes Airflow's database volume. It cannot be undone. Type "yes" to go on: `,
    );
    for (const answer of ['no', 'y', '', undefined]) {
      const err = (await confirmDestructive({
        what,
        yesFlag: '--yes',
        input: tty(answer),
        output: new PassThrough(),
      }).catch((e: unknown) => e)) as UsageError;
      expect([answer, err.message]).toEqual([answer, 'not confirmed; nothing was changed']);
    }
  });
});

test('down --volumes without a terminal refuses before touching Docker (exit 2)', async () => {
  const isTTY = process.stdin.isTTY;
  Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
  try {
    const r = await runMain('down', '--volumes');
    expect(r.code).toBe(ExitCode.usage);
    expect(r.stderr).toBe(
      "error: this would delete Airflow's database volume (runs, variables, connections, users), and there is no terminal to confirm it on\nhint: pass --yes to confirm\n",
    );
    expect(r.stdout).toBe('');
  } finally {
    Object.defineProperty(process.stdin, 'isTTY', { value: isTTY, configurable: true });
  }
});

describe('--dry-run sends and writes nothing', () => {
  // Airflow "runs" on a closed port: any request would fail with exit 4.
  beforeEach(() => Object.assign(process.env, NO_AIRFLOW));

  test('set-variable', async () => {
    const r = await runMain('set-variable', 'LOG_LEVEL', 'debug', '--dry-run');
    expect(r).toEqual({ code: 0, stdout: 'dry run: would set LOG_LEVEL = "debug"\n', stderr: '' });
  });

  test('variables import', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'afml-vars-')), 'v.json');
    fs.writeFileSync(file, JSON.stringify({ A: 'x', B: { value: 1, description: 'd' } }));
    const r = await runMain('variables', 'import', file, '--dry-run');
    expect(r).toEqual({ code: 0, stdout: 'dry run: would set 2 variable(s): A, B\n', stderr: '' });
  });

  test('connections add: every field, never the password', async () => {
    process.env.CONN_PW = 'Sup3r-secret';
    const r = await runMain(
      'connections',
      'add',
      'warehouse',
      '--conn-type',
      'postgres',
      '--host',
      'db',
      '--port',
      '5432',
      '--password-env',
      'CONN_PW',
      '--extra',
      '{"sslmode": "require"}',
      '--dry-run',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'dry run: would create or overwrite connection warehouse',
        '  conn_type: postgres',
        '  host: db',
        '  port: 5432',
        '  login: (cleared)',
        '  password: *** (from CONN_PW)',
        '  schema: (cleared)',
        '  extra: {"sslmode":"require"}',
        '  description: (cleared)',
        '',
      ].join('\n'),
    );
    expect(r.stdout).not.toContain('Sup3r-secret');
  });

  test('fernet-key generate: checks, writes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-fernet-'));
    const envFile = path.join(dir, '.env');
    const r = await runMain('fernet-key', 'generate', '--env-file', envFile, '--dry-run');
    expect(r).toEqual({
      code: 0,
      stdout: `dry run: would write a new FERNET_KEY to ${envFile} (mode 0600, 1 key); nothing was written\n`,
      stderr: '',
    });
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.writeFileSync(envFile, 'FERNET_KEY=abc\n');
    const refused = await runMain('fernet-key', 'generate', '--env-file', envFile, '--dry-run');
    expect(refused.code).toBe(ExitCode.config);
    expect(fs.readFileSync(envFile, 'utf8')).toBe('FERNET_KEY=abc\n');
  });
});

test('variables import -: the file comes from standard input', () => {
  expect(readVariablesFile('-', () => '{"PROD_DIR": "models/production"}')).toEqual([
    { key: 'PROD_DIR', value: 'models/production' },
  ]);
  expect(() => readVariablesFile('-', () => '[1]')).toThrow(
    'standard input must hold a JSON object of key to value',
  );
});

describe('usage errors win over missing configuration (no credentials set)', () => {
  beforeEach(() => {
    for (const k of ['AIRFLOW_URL', 'AIRFLOW_USERNAME', 'AIRFLOW_PASSWORD']) delete process.env[k];
    process.chdir(fs.mkdtempSync(path.join(os.tmpdir(), 'afml-cwd-')));
  });
  afterEach(() => process.chdir(path.resolve(__dirname, '..', '..', '..')));

  test.each([
    [
      ['trigger', 'predict', '--date', '2024-13-01'],
      '--date must be a calendar day as YYYY-MM-DD, not "2024-13-01"',
    ],
    [['runs', 'predict', '--limit', '0'], '--limit must be a positive number, not "0"'],
    [['logs', 'predict', 'r', 't', '--try', 'x'], '--try must be a positive number, not "x"'],
    [['mark', 'predict', 'r', 'done'], 'STATE must be one of success, failed, not "done"'],
    [
      ['get-variable', 'K', '--http-timeout', 'soon'],
      '--http-timeout must be a positive number of seconds, not "soon"',
    ],
    [
      ['connections', 'add', 'c', '--conn-type', 'http', '--port', '99999'],
      '--port must be a port number, not "99999"',
    ],
    [
      ['connections', 'add', 'c', '--conn-type', 'http', '--extra', '[]'],
      '--extra must be a JSON object',
    ],
    [
      ['backfill', 'predict', '--from', '2026-01-02', '--to', '2026-01-01'],
      '--from 2026-01-02 is after --to 2026-01-01',
    ],
    [['deploy', '--parse-timeout', '-1'], '--parse-timeout must be a positive number, not "-1"'],
    [['deploy', '--var', 'NOEQUALS'], '--var expects KEY=VALUE, not "NOEQUALS"'],
    [
      ['set-variable', 'PROD_DIR', '../x'],
      'PROD_DIR "../x" leaves the data root or is not a clean path (".", ".." or an empty segment)',
    ],
  ])('%j', async (args, message) => {
    const r = await runMain(...args);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([ExitCode.usage, `error: ${message}`]);
  });
});

test('up --dry-run prints the plan up would apply and writes nothing', async () => {
  const ROOT = path.resolve(__dirname, '..', '..', '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-up-dry-'));
  const envFile = path.join(dir, 'stack.env');
  fs.writeFileSync(envFile, 'AIRFLOW_PORT=8080\nAIRFLOW_USERNAME=airflow\n');
  const r = await runMain(
    'up',
    '--dry-run',
    '--stack-env-file',
    envFile,
    '--health-timeout',
    '300',
  );
  expect([r.code, r.stderr]).toEqual([0, '']);
  const lines = r.stdout.trimEnd().split('\n');
  // The image lines (and workers a Celery stack left) depend on what this engine has;
  // tests/unit/ops/stack/up-plan.test.ts pins them.
  const stable = lines.filter(
    (l) =>
      !l.startsWith('    ') &&
      !l.startsWith('  step images:') &&
      !l.startsWith('  remove the Celery workers'),
  );
  expect(stable).toEqual([
    `dry run: airflow-ml up would, with ${envFile}:`,
    '  settings: add to the env file (mode 0600): FERNET_KEY, COMPOSE_PROJECT_NAME, AIRFLOW__API_AUTH__JWT_SECRET, AIRFLOW_UID, DOCKER_GID, AIRFLOW_ML_DATA_ROOT, AIRFLOW_ML_STEP_USER, AIRFLOW_URL, AIRFLOW_PASSWORD, REDIS_PASSWORD, POSTGRES_PASSWORD, AIRFLOW_ML_SECRETS_DIR',
    '  secret files: from FERNET_KEY, AIRFLOW__API_AUTH__JWT_SECRET, POSTGRES_PASSWORD, AIRFLOW_PASSWORD, SMTP_PASSWORD, REDIS_PASSWORD',
    '  stack images:',
    '  executor: local (the scheduler runs the tasks)',
    expect.stringMatching(
      new RegExp(
        `^  compose: docker(-compose| compose) --project-name airflow-ml --file ${ROOT}/docker-compose\\.yml --project-directory ${ROOT} --env-file ${envFile} up --detach --remove-orphans$`,
      ),
    ),
    '  services: airflow-init (runs once), postgres, docker-proxy, airflow-apiserver, airflow-scheduler, airflow-dag-processor, airflow-triggerer, mail-sink, step-reaper; healthy within 300 s',
    '  deploy, trigger the first runs they wait for, and unpause: generate_data, predict, train_model, train_model_gbm',
    'nothing was written or started',
  ]);
  expect(fs.readdirSync(dir)).toEqual(['stack.env']);
  expect(fs.readFileSync(envFile, 'utf8')).toBe('AIRFLOW_PORT=8080\nAIRFLOW_USERNAME=airflow\n');
});
