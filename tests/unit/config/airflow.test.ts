import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveAirflowSettings, resolveAirflowUrl } from '../../../cli/config/airflow';
import { parseDotenv } from '../../../cli/base/dotenv';
import { loadEnv, projectEnvFile } from '../../../cli/base/env';
import { projectRoot } from '../../../cli/base/paths';
import { ConfigError, ExitCode } from '../../../cli/base/errors';

test('parseDotenv: export, comments, quotes, escapes, no expansion', () => {
  const env = parseDotenv(
    [
      '# comment',
      '',
      'export A=1',
      'B = two words # trailing comment',
      "C='lit $HOME # not a comment'",
      'D="line\\nnext \\"q\\""',
      'E=',
      'F=x=y',
      'not a line',
      'G=crlf\r',
    ].join('\n'),
  );
  expect(Object.fromEntries(env)).toEqual({
    A: '1',
    B: 'two words',
    C: 'lit $HOME # not a comment',
    D: 'line\nnext "q"',
    E: '',
    F: 'x=y',
    G: 'crlf',
  });
});

test('loadEnv: the process environment wins over the .env file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-env-'));
  fs.writeFileSync(
    path.join(dir, '.env'),
    'AIRFLOW_URL=http://from-file:8080\nAIRFLOW_PASSWORD=file-pw\n',
  );
  const env = loadEnv(path.join(dir, '.env'), { AIRFLOW_URL: 'http://from-env:8080' });
  expect(env.AIRFLOW_URL).toBe('http://from-env:8080');
  expect(env.AIRFLOW_PASSWORD).toBe('file-pw');
  expect(loadEnv(path.join(dir, 'missing', '.env'), {})).toEqual({});
});

test("the project's .env is found from the project root, not the working directory", () => {
  const sub = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-cwd-'));
  const saved = process.cwd();
  process.chdir(sub);
  try {
    expect(projectEnvFile({})).toBe(path.join(projectRoot(), '.env'));
  } finally {
    process.chdir(saved);
  }
  expect(projectEnvFile({ AIRFLOW_ML_ENV_FILE: 'x/.env' })).toBe(path.resolve('x/.env'));
});

test('flags win over the environment', () => {
  const s = resolveAirflowSettings(
    { airflowUrl: 'http://flag:1', username: 'fu', password: 'fp', httpTimeout: '2.5' },
    { AIRFLOW_URL: 'http://env:2', AIRFLOW_USERNAME: 'eu', AIRFLOW_PASSWORD: 'ep' },
  );
  expect(s).toEqual({ url: 'http://flag:1', username: 'fu', password: 'fp', timeoutMs: 2500 });
});

test('missing credentials name the variables and never a value', () => {
  let err: unknown;
  try {
    resolveAirflowSettings({}, { AIRFLOW_USERNAME: 'admin', AIRFLOW_PASSWORD: '' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).exitCode).toBe(ExitCode.config);
  expect((err as ConfigError).message).toBe('no Airflow credentials: AIRFLOW_PASSWORD not set');
});

test('URL: default, scheme added, non-http refused', () => {
  expect(resolveAirflowUrl({}, {})).toBe('http://localhost:8080');
  expect(resolveAirflowUrl({}, { AIRFLOW_URL: 'airflow:8080' })).toBe('http://airflow:8080');
  expect(() => resolveAirflowUrl({ airflowUrl: 'ftp://x' }, {})).toThrow(ConfigError);
});
