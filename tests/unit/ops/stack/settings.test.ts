import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isFernetKey } from '../../../../cli/ops/fernet/key';
import { ConfigError } from '../../../../cli/base/errors';
import { parseDotenv } from '../../../../cli/base/dotenv';
import {
  ensureStackSettings,
  LEGACY_POSTGRES_PASSWORD,
  setStackEnvValue,
} from '../../../../cli/ops/stack/settings';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-stack-settings-'));
}

describe('ensureStackSettings', () => {
  it('creates a private env file with every value the stack needs (as root)', () => {
    const dir = tempDir();
    const envFile = path.join(dir, '.env');
    const s = ensureStackSettings({
      root: dir,
      envFile,
      dockerGid: 994,
      processEnv: {},
      uid: 0,
      gid: 0,
    });
    const values = parseDotenv(fs.readFileSync(envFile, 'utf8'));
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    expect(isFernetKey(values.get('FERNET_KEY') ?? '')).toBe(true);
    expect(values.get('AIRFLOW__API_AUTH__JWT_SECRET')?.length).toBeGreaterThanOrEqual(40);
    expect(values.get('AIRFLOW_UID')).toBe('50000');
    expect(values.get('DOCKER_GID')).toBe('994');
    expect(values.get('AIRFLOW_ML_DATA_ROOT')).toBe(path.join(dir, 'data'));
    expect(values.get('AIRFLOW_ML_STEP_USER')).toBe('1000:1000');
    expect(values.get('AIRFLOW_USERNAME')).toBe('airflow');
    expect(values.get('AIRFLOW_PASSWORD')).not.toBe('airflow');
    expect(values.get('POSTGRES_PASSWORD')?.length).toBeGreaterThanOrEqual(24);
    // The secret files live next to the env file; the port binds to loopback by default.
    expect(values.get('AIRFLOW_ML_SECRETS_DIR')).toBe(path.join(dir, '.secrets'));
    expect(values.has('AIRFLOW_BIND_ADDRESS')).toBe(false);
    expect(s).toMatchObject({
      port: 8080,
      url: 'http://localhost:8080',
      airflowUid: 50000,
      bindAddress: '127.0.0.1',
      secretsDir: path.join(dir, '.secrets'),
    });
    expect(s.written).toContain('FERNET_KEY');
  });

  it('keeps the legacy database password for a database volume created before it was generated', () => {
    const dir = tempDir();
    const envFile = path.join(dir, '.env');
    ensureStackSettings({
      root: dir,
      envFile,
      dockerGid: 994,
      processEnv: {},
      uid: 0,
      gid: 0,
      databaseExists: true,
    });
    const values = parseDotenv(fs.readFileSync(envFile, 'utf8'));
    expect(values.get('POSTGRES_PASSWORD')).toBe(LEGACY_POSTGRES_PASSWORD);
  });

  it('takes AIRFLOW_BIND_ADDRESS from the env file, and refuses a relative secrets folder', () => {
    const dir = tempDir();
    const envFile = path.join(dir, '.env');
    fs.writeFileSync(envFile, 'AIRFLOW_BIND_ADDRESS=0.0.0.0\n');
    const s = ensureStackSettings({
      root: dir,
      envFile,
      dockerGid: 1,
      processEnv: {},
      uid: 0,
      gid: 0,
    });
    expect(s.bindAddress).toBe('0.0.0.0');
    fs.appendFileSync(envFile, 'AIRFLOW_ML_SECRETS_DIR=.secrets\n');
    expect(() =>
      ensureStackSettings({ root: dir, envFile, dockerGid: 1, processEnv: {}, uid: 0, gid: 0 }),
    ).toThrow(/AIRFLOW_ML_SECRETS_DIR must be an absolute path/);
  });

  it("uses the caller's uid:gid when not root", () => {
    const dir = tempDir();
    const envFile = path.join(dir, '.env');
    const s = ensureStackSettings({
      root: dir,
      envFile,
      dockerGid: 1,
      processEnv: {},
      uid: 1234,
      gid: 99,
    });
    expect(s.stepUser).toBe('1234:99');
    expect(s.airflowUid).toBe(1234);
  });

  it('never changes a value that is there, and a second call writes nothing', () => {
    const dir = tempDir();
    const envFile = path.join(dir, '.env');
    const kept =
      'FERNET_KEY=' +
      'A'.repeat(43) +
      '=\n# mine\nAIRFLOW_ML_DATA_ROOT=/srv/data\nAIRFLOW_PORT=9090\n';
    fs.writeFileSync(envFile, kept);
    ensureStackSettings({ root: dir, envFile, dockerGid: 5, processEnv: {}, uid: 0, gid: 0 });
    const text = fs.readFileSync(envFile, 'utf8');
    expect(text.startsWith(kept)).toBe(true);
    const again = ensureStackSettings({
      root: dir,
      envFile,
      dockerGid: 6,
      processEnv: {},
      uid: 0,
      gid: 0,
    });
    expect(again.written).toEqual([]);
    expect(fs.readFileSync(envFile, 'utf8')).toBe(text);
    expect(again).toMatchObject({ dataRoot: '/srv/data', port: 9090 });
  });

  it('lets the process environment win, as compose does, without writing it', () => {
    const dir = tempDir();
    const envFile = path.join(dir, '.env');
    const s = ensureStackSettings({
      root: dir,
      envFile,
      dockerGid: 5,
      processEnv: { AIRFLOW_ML_DATA_ROOT: '/from/shell' },
      uid: 0,
      gid: 0,
    });
    expect(s.dataRoot).toBe('/from/shell');
    expect(parseDotenv(fs.readFileSync(envFile, 'utf8')).has('AIRFLOW_ML_DATA_ROOT')).toBe(false);
  });

  it('rejects a relative data root: the containers mount it at the same host path', () => {
    const dir = tempDir();
    const envFile = path.join(dir, '.env');
    fs.writeFileSync(envFile, 'AIRFLOW_ML_DATA_ROOT=data\n');
    expect(() =>
      ensureStackSettings({ root: dir, envFile, dockerGid: 5, processEnv: {}, uid: 0, gid: 0 }),
    ).toThrow(ConfigError);
  });

  it('setStackEnvValue only adds a missing key', () => {
    const dir = tempDir();
    const envFile = path.join(dir, '.env');
    fs.writeFileSync(envFile, 'POSTGRES_IMAGE=mine\n');
    expect(setStackEnvValue(envFile, 'POSTGRES_IMAGE', 'other')).toBe(false);
    expect(setStackEnvValue(envFile, 'AIRFLOW_IMAGE_NAME', 'x')).toBe(true);
    expect(fs.readFileSync(envFile, 'utf8')).toBe('POSTGRES_IMAGE=mine\nAIRFLOW_IMAGE_NAME=x\n');
  });
});
