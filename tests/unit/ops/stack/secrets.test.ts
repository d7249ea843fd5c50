import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../../../cli/base/errors';
import { STACK_SECRETS, writeStackSecrets } from '../../../../cli/ops/stack/secrets';

const ENV = {
  FERNET_KEY: 'k'.repeat(43) + '=',
  AIRFLOW__API_AUTH__JWT_SECRET: 'jwt-secret',
  POSTGRES_PASSWORD: 'p@ss/wo:rd %',
  AIRFLOW_PASSWORD: `-Pw 'sq' "dq" $HOME ünï`,
  SMTP_PASSWORD: `-smtp "q" $USER ß`,
};

function settings(env: Record<string, string | undefined> = ENV, airflowUid = 50000) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-ml-secrets-'));
  return {
    env,
    secretsDir: path.join(dir, '.secrets'),
    airflowUid,
    envFile: path.join(dir, '.env'),
  };
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;
// Owners other than the caller's can only be set as root (CI and the stack run as root).
const asRoot = process.getuid?.() === 0 ? it : it.skip;

describe('writeStackSecrets', () => {
  asRoot(
    'writes each secret exactly as set, in a private folder that git ignores (as root)',
    () => {
      const s = settings();
      const result = writeStackSecrets(s, { uid: 0, gid: 0 });
      expect(result.changed.sort()).toEqual(Object.keys(STACK_SECRETS).sort());
      expect(mode(s.secretsDir)).toBe(0o700);
      expect(fs.readFileSync(path.join(s.secretsDir, '.gitignore'), 'utf8')).toBe('*\n');
      const read = (name: string) => fs.readFileSync(path.join(s.secretsDir, name), 'utf8');
      expect(read('admin_password')).toBe(ENV.AIRFLOW_PASSWORD);
      expect(read('smtp_password')).toBe(ENV.SMTP_PASSWORD);
      expect(read('fernet_key')).toBe(ENV.FERNET_KEY);
      expect(read('jwt_secret')).toBe('jwt-secret');
      expect(read('postgres_password')).toBe(ENV.POSTGRES_PASSWORD);
      // The password is URL-encoded inside the database URL.
      expect(read('sql_alchemy_conn')).toBe(
        'postgresql+psycopg2://airflow:p%40ss%2Fwo%3Ard%20%25@postgres/airflow',
      );
      for (const name of Object.keys(STACK_SECRETS)) {
        const st = fs.statSync(path.join(s.secretsDir, name));
        expect({ name, mode: st.mode & 0o777, uid: st.uid, gid: st.gid }).toEqual({
          name,
          mode: 0o640,
          uid: 0,
          gid: 0,
        });
      }
    },
  );

  asRoot('writes an empty smtp_password when none is set (compose needs the file)', () => {
    const s = settings({ ...ENV, SMTP_PASSWORD: undefined });
    writeStackSecrets(s, { uid: 0, gid: 0 });
    expect(fs.readFileSync(path.join(s.secretsDir, 'smtp_password'), 'utf8')).toBe('');
  });

  asRoot('reports only what changed, by name', () => {
    const s = settings();
    writeStackSecrets(s, { uid: 0, gid: 0 });
    expect(writeStackSecrets(s, { uid: 0, gid: 0 }).changed).toEqual([]);
    const again = writeStackSecrets(
      { ...s, env: { ...ENV, AIRFLOW_PASSWORD: 'new' } },
      { uid: 0, gid: 0 },
    );
    expect(again.changed).toEqual(['admin_password']);
  });

  asRoot('restores modes and replaces a symlink instead of writing through it', () => {
    const s = settings();
    writeStackSecrets(s, { uid: 0, gid: 0 });
    const file = path.join(s.secretsDir, 'jwt_secret');
    fs.chmodSync(file, 0o644);
    const elsewhere = path.join(path.dirname(s.secretsDir), 'elsewhere');
    fs.writeFileSync(elsewhere, 'untouched');
    const admin = path.join(s.secretsDir, 'admin_password');
    fs.rmSync(admin);
    fs.symlinkSync(elsewhere, admin);
    writeStackSecrets(s, { uid: 0, gid: 0 });
    expect(mode(file)).toBe(0o640);
    expect(fs.lstatSync(admin).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(admin, 'utf8')).toBe(ENV.AIRFLOW_PASSWORD);
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('untouched');
  });

  asRoot(
    'without root: files of the caller, 0600, and only when the containers run as the caller',
    () => {
      const s = settings(ENV, 1234);
      fs.mkdirSync(s.secretsDir, { mode: 0o700 });
      fs.chownSync(s.secretsDir, 1234, 99);
      writeStackSecrets(s, { uid: 1234, gid: 99 });
      const st = fs.statSync(path.join(s.secretsDir, 'fernet_key'));
      expect({ mode: st.mode & 0o777, uid: st.uid, gid: st.gid }).toEqual({
        mode: 0o600,
        uid: 1234,
        gid: 99,
      });
      const other = settings(ENV, 50000);
      expect(() => writeStackSecrets(other, { uid: 1234, gid: 99 })).toThrow(ConfigError);
    },
  );

  asRoot('refuses a folder someone else owns, and an empty required secret', () => {
    const s = settings();
    fs.mkdirSync(s.secretsDir, { mode: 0o700 });
    fs.chownSync(s.secretsDir, 4321, 4321);
    expect(() => writeStackSecrets(s, { uid: 0, gid: 0 })).toThrow(/not a folder owned by uid 0/);
    expect(() =>
      writeStackSecrets(settings({ ...ENV, FERNET_KEY: '' }), { uid: 0, gid: 0 }),
    ).toThrow(/fernet_key would be empty/);
  });
});
