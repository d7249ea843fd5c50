import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode } from '../../../cli/base/errors';
import {
  STANDALONE_START_BUDGET_MS,
  startAirflowStandalone,
  type AirflowStandalone,
} from '../support/airflow-standalone';
import { runCli } from './run-cli';

/**
 * `fernet-key generate` writes a key that Airflow accepts: a real Airflow started with it
 * stores a variable encrypted (checked in its SQLite metadatabase and decrypted with the
 * key), and `--rotate`'s "new,old" works with `airflow rotate-fernet-key`.
 */

jest.setTimeout(120_000);

let af: AirflowStandalone | undefined;
let dir: string;
let envFile: string;
const ORIGINAL =
  '# local settings\nAIRFLOW_URL=http://localhost:8080\r\nexport SMTP_PASSWORD="p#w d"\n\n# end';

const keyLine = () => /^FERNET_KEY=(.*)$/m.exec(fs.readFileSync(envFile, 'utf8'))?.[1] ?? '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'afml-fernet-it-'));
  envFile = path.join(dir, '.env');
  fs.writeFileSync(envFile, ORIGINAL, { mode: 0o644 });
});

afterAll(async () => {
  await af?.stop();
}, 120_000);

test('generate: a 32-byte url-safe key, mode 0600, every other line kept', async () => {
  const r = await runCli(['fernet-key', 'generate'], {}, dir);
  // No --env-file: the project's .env (here the run's own, AIRFLOW_ML_ENV_FILE), not the cwd's.
  expect(r).toMatchObject({
    code: 0,
    stdout: `wrote FERNET_KEY to ${envFile} (mode 0600, 1 key)\n`,
  });
  const key = keyLine();
  expect(key).toMatch(/^[A-Za-z0-9_-]{43}=$/);
  expect(Buffer.from(key, 'base64url')).toHaveLength(32);
  expect(r.all).not.toContain(key);
  expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
  expect(fs.readFileSync(envFile, 'utf8')).toBe(`${ORIGINAL}\r\nFERNET_KEY=${key}\r\n`);
  expect(fs.readdirSync(dir)).toEqual(['.env']);
});

test('generate again without --rotate refuses (exit 9) and changes nothing', async () => {
  const before = fs.readFileSync(envFile, 'utf8');
  const r = await runCli(['fernet-key', 'generate', '--env-file', envFile]);
  expect(r.code).toBe(ExitCode.config);
  expect(r.stderr).toContain(`error: FERNET_KEY is already set in ${envFile}; not replacing it`);
  expect(r.stderr).toContain('pass --rotate');
  expect(fs.readFileSync(envFile, 'utf8')).toBe(before);
});

test(
  'Airflow accepts the key: a variable is stored encrypted with it',
  async () => {
    const key = keyLine();
    af = await startAirflowStandalone({ fernetKey: key });
    const env = {
      AIRFLOW_URL: af.url,
      AIRFLOW_USERNAME: af.username,
      AIRFLOW_PASSWORD: af.password,
    };
    expect((await runCli(['set-variable', 'SECRETISH', 'plain-text-value'], env)).code).toBe(0);

    const [[isEncrypted, stored]] = (await af.queryDb(
      "select is_encrypted, val from variable where key = 'SECRETISH'",
    )) as [number, string][];
    expect(isEncrypted).toBe(1);
    expect(stored).not.toContain('plain-text-value');
    expect(await decrypt(key, stored)).toBe('plain-text-value');
  },
  STANDALONE_START_BUDGET_MS,
);

test('--rotate writes new,old, which `airflow rotate-fernet-key` accepts', async () => {
  if (!af) throw new Error('needs the Airflow started by the previous test');
  const old = keyLine();
  const r = await runCli(['fernet-key', 'generate', '--rotate'], {}, dir);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('airflow rotate-fernet-key');
  const [fresh, kept] = keyLine().split(',');
  expect(kept).toBe(old);
  expect(Buffer.from(fresh, 'base64url')).toHaveLength(32);
  expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);

  // Step 2 of the printed instructions, against the real metadatabase, with the .env value.
  const rotated = await af.airflow(['rotate-fernet-key'], {
    env: { AIRFLOW__CORE__FERNET_KEY: keyLine() },
    timeoutMs: 120_000,
  });
  expect(rotated.code).toBe(0);
  const [[stored]] = (await af.queryDb("select val from variable where key = 'SECRETISH'")) as [
    string,
  ][];
  expect(await decrypt(fresh, stored)).toBe('plain-text-value');
  // Re-encrypted: the old key alone can no longer read it.
  await expect(decrypt(old, stored)).rejects.toThrow(/InvalidToken/);
});

async function decrypt(key: string, token: string): Promise<string> {
  const r = await af!.python(
    'import sys; from cryptography.fernet import Fernet; print(Fernet(sys.argv[1]).decrypt(sys.argv[2].encode()).decode())',
    [key, token],
  );
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}
