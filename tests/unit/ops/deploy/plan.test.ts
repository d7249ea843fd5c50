import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { smtpSettingsFromEnv } from '../../../../cli/ops/alerts/smtp-settings';
import { copyDagFiles } from '../../../../cli/ops/deploy/copy';
import { describePlan, planDeploy } from '../../../../cli/ops/deploy/plan';
import { DEFAULT_PROD_DIR, parseVarFlags } from '../../../../cli/ops/deploy/settings';
import { ConfigError, UsageError } from '../../../../cli/base/errors';

const folder = () => fs.mkdtempSync(path.join(os.tmpdir(), 'afml-dags-'));
const files = (entries: Record<string, string>) => ({ files: new Map(Object.entries(entries)) });
const SMTP = {
  SMTP_HOST: 'mail',
  SMTP_USER: 'bot@example.com',
  SMTP_PASSWORD: 'smtp-secret',
  SMTP_STARTTLS: 'true',
};

test('plan: create/update/unchanged, dag ids, variables, connections; plain data', () => {
  const dagsFolder = folder();
  fs.writeFileSync(path.join(dagsFolder, 'same.py'), 'S');
  fs.writeFileSync(path.join(dagsFolder, 'changed.py'), 'old');
  const plan = planDeploy(files({ 'new.py': 'N', 'same.py': 'S', 'changed.py': 'C' }), {
    dagsFolder,
    dataRoot: '/srv/data',
    env: SMTP,
  });
  expect(plan.files.map((f) => [f.name, f.dagId, f.action])).toEqual([
    ['changed.py', 'changed', 'update'],
    ['new.py', 'new', 'create'],
    ['same.py', 'same', 'unchanged'],
  ]);
  expect(plan.dagIds).toEqual(['changed', 'new', 'same']);
  expect(plan.variables).toEqual([
    { key: 'PROD_DIR', value: DEFAULT_PROD_DIR, onExistence: 'skip' },
  ]);
  expect(plan.connections).toEqual([
    { connection_id: 'fs_default', conn_type: 'fs', extra: '{"path":"/srv/data"}' },
    {
      connection_id: 'smtp_default',
      conn_type: 'smtp',
      host: 'mail',
      port: 587,
      login: 'bot@example.com',
      password: 'smtp-secret',
      extra: '{"disable_ssl":true,"disable_tls":false,"from_email":"bot@example.com"}',
    },
  ]);
  expect(plan.notes).toEqual([]);
  expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  const text = describePlan(plan).join('\n');
  expect(text).toContain('password=***');
  expect(text).not.toContain('smtp-secret');
});

test('plan: explicit PROD_DIR overwrites; --var; no SMTP_HOST leaves smtp_default alone', () => {
  const plan = planDeploy(files({}), {
    dagsFolder: folder(),
    dataRoot: '/d',
    prodDir: 'models/2024-03-05',
    variables: parseVarFlags(['A=1', 'B=x=y']),
    env: {},
  });
  expect(plan.variables).toEqual([
    { key: 'PROD_DIR', value: 'models/2024-03-05', onExistence: 'overwrite' },
    { key: 'A', value: '1', onExistence: 'overwrite' },
    { key: 'B', value: 'x=y', onExistence: 'overwrite' },
  ]);
  expect(plan.connections.map((c) => c.connection_id)).toEqual(['fs_default']);
  expect(plan.notes[0]).toMatch(/SMTP_HOST is not set/);
});

test('plan refuses bad input', () => {
  const base = { dagsFolder: folder(), dataRoot: '/d', env: {} };
  expect(() => planDeploy(files({ '../x.py': '' }), base)).toThrow(UsageError);
  expect(() => planDeploy(files({}), { ...base, prodDir: '/abs' })).toThrow(UsageError);
  expect(() => planDeploy(files({}), { ...base, dataRoot: 'relative' })).toThrow(UsageError);
  expect(() => parseVarFlags(['novalue'])).toThrow(UsageError);
});

test('copy writes new and changed files atomically and leaves unchanged ones untouched', () => {
  const dagsFolder = folder();
  fs.writeFileSync(path.join(dagsFolder, 'same.py'), 'S');
  const before = fs.statSync(path.join(dagsFolder, 'same.py')).mtimeMs;
  const plan = planDeploy(files({ 'a.py': 'A', 'same.py': 'S' }), {
    dagsFolder,
    dataRoot: '/d',
    env: {},
  });
  expect(copyDagFiles(plan)).toEqual(['a.py']);
  expect(fs.readdirSync(dagsFolder).sort()).toEqual(['a.py', 'same.py']);
  expect(fs.readFileSync(path.join(dagsFolder, 'a.py'), 'utf8')).toBe('A');
  expect(fs.statSync(path.join(dagsFolder, 'same.py')).mtimeMs).toBe(before);
  expect(
    planDeploy(files({ 'a.py': 'A' }), { dagsFolder, dataRoot: '/d', env: {} }).files[0].action,
  ).toBe('unchanged');
});

test('SMTP settings: TLS modes, ports, conflicts', () => {
  expect(smtpSettingsFromEnv({})).toBeUndefined();
  expect(smtpSettingsFromEnv({ SMTP_HOST: 'h' })).toMatchObject({
    port: 587,
    ssl: false,
    starttls: true,
  });
  expect(smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_SSL: 'yes' })).toMatchObject({
    port: 465,
    ssl: true,
    starttls: false,
  });
  expect(
    smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_STARTTLS: 'false', SMTP_PORT: '2525' }),
  ).toMatchObject({
    port: 2525,
    ssl: false,
    starttls: false,
    from: 'airflow-ml@localhost',
  });
  expect(() => smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_SSL: '1', SMTP_STARTTLS: '1' })).toThrow(
    ConfigError,
  );
  expect(() => smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_PORT: 'x' })).toThrow(ConfigError);
  expect(() => smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_SSL: 'maybe' })).toThrow(ConfigError);
});
