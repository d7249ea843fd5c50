import * as fs from 'node:fs';
import * as path from 'node:path';
import { readIfExists } from '../../base/read';
import { writeFileAtomic } from '../../base/atomic-write';
import { ConfigError } from '../../base/errors';
import type { StackSettings } from './settings';

/**
 * The stack's secrets reach the containers as files (compose `secrets:`, bind-mounted at
 * /run/secrets/<name>), never as environment that `docker inspect` shows: Airflow reads its
 * sensitive options through AIRFLOW__SECTION__KEY_CMD=`cat /run/secrets/<name>`, postgres
 * through POSTGRES_PASSWORD_FILE, airflow-init's Python reads the admin and SMTP passwords.
 * The env file stays the one place the user sets them; `up` writes the files from it.
 *
 * Who can read them: the folder is 0700 (only its owner, and root, can reach the files on the
 * host). As root, the files are root:0 with mode 0640: the Airflow containers run as
 * AIRFLOW_UID with gid 0, and postgres's entrypoint reads its file as root. Without root
 * (the containers then run as the caller's own uid) they are the caller's, mode 0600.
 */

/** Secret file name -> how its content is derived from the settings. */
export const STACK_SECRETS: Record<string, (env: StackSettings['env']) => string> = {
  fernet_key: (env) => env.FERNET_KEY ?? '',
  jwt_secret: (env) => env.AIRFLOW__API_AUTH__JWT_SECRET ?? '',
  postgres_password: (env) => env.POSTGRES_PASSWORD ?? '',
  sql_alchemy_conn: (env) =>
    `postgresql+psycopg2://airflow:${encodeURIComponent(env.POSTGRES_PASSWORD ?? '')}@postgres/airflow`,
  admin_password: (env) => env.AIRFLOW_PASSWORD ?? '',
  // Empty when no SMTP password is set: compose needs the file to exist.
  smtp_password: (env) => env.SMTP_PASSWORD ?? '',
  // Celery mode (docker-compose.celery.yml): the broker's config, read by redis-server as its
  // config file (a double-quoted value, escaped as redis.conf reads it), and the URL Airflow
  // reads through AIRFLOW__CELERY__BROKER_URL_CMD. Written in either mode, so switching to
  // Celery needs no other step.
  redis_conf: (env) => `requirepass ${redisQuoted(env.REDIS_PASSWORD ?? '')}\n`,
  celery_broker_url: (env) =>
    `redis://:${encodeURIComponent(env.REDIS_PASSWORD ?? '')}@redis:6379/0`,
};

/** A redis.conf double-quoted string: backslash, quote and control characters escaped. */
function redisQuoted(value: string): string {
  const escaped = Array.from(value, (c) => {
    const code = c.charCodeAt(0);
    const plain = c !== '\\' && c !== '"' && code >= 0x20 && code !== 0x7f;
    return plain ? c : `\\x${code.toString(16).padStart(2, '0')}`;
  });
  return `"${escaped.join('')}"`;
}

/** The env keys whose values are secrets (for checks that they never leak). */
export const SECRET_ENV_KEYS = [
  'FERNET_KEY',
  'AIRFLOW__API_AUTH__JWT_SECRET',
  'POSTGRES_PASSWORD',
  'AIRFLOW_PASSWORD',
  'SMTP_PASSWORD',
  'REDIS_PASSWORD',
] as const;

const REQUIRED = ['fernet_key', 'jwt_secret', 'postgres_password', 'admin_password'];

export interface SecretsResult {
  dir: string;
  /** Names of the files whose content this call wrote (never their values). */
  changed: string[];
}

export interface WriteSecretsOptions {
  /** Default: the process's uid. */
  uid?: number;
  gid?: number;
}

/** Write every secret file whose content differs from the settings; fix modes and owners. */
export function writeStackSecrets(
  settings: Pick<StackSettings, 'env' | 'secretsDir' | 'airflowUid' | 'envFile'>,
  options: WriteSecretsOptions = {},
): SecretsResult {
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const gid = options.gid ?? process.getgid?.() ?? 0;
  const isRoot = uid === 0;
  if (!isRoot && settings.airflowUid !== uid) {
    throw new ConfigError(
      `AIRFLOW_UID is ${settings.airflowUid}, but \`up\` runs as uid ${uid} without root: the Airflow containers could not read the secret files it writes`,
      `set AIRFLOW_UID=${uid} in ${settings.envFile}, or run \`airflow-ml up\` as root`,
    );
  }
  for (const name of REQUIRED) {
    if (!STACK_SECRETS[name](settings.env)) {
      throw new ConfigError(
        `the secret ${name} would be empty`,
        `run \`airflow-ml up\`, which fills in the missing values of ${settings.envFile}`,
      );
    }
  }
  const dir = settings.secretsDir;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A folder someone else owns (or a symlink to one) could redirect these writes.
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid) {
    throw new ConfigError(
      `${dir} (AIRFLOW_ML_SECRETS_DIR) is not a folder owned by uid ${uid}`,
      'remove it, or point AIRFLOW_ML_SECRETS_DIR at a folder of your own',
    );
  }
  fs.chmodSync(dir, 0o700);
  // Never committed, wherever the folder is (a .gitignore that ignores itself too).
  const ignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '*\n', { mode: 0o644 });

  const mode = isRoot ? 0o640 : 0o600;
  const changed: string[] = [];
  for (const [name, derive] of Object.entries(STACK_SECRETS)) {
    const file = path.join(dir, name);
    const content = derive(settings.env);
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(file);
    if (readIfExists(file) !== content) {
      writeFileAtomic(file, content, mode);
      changed.push(name);
    }
    fs.chmodSync(file, mode);
    if (isRoot) fs.chownSync(file, 0, 0);
    else fs.chownSync(file, uid, gid);
  }
  return { dir, changed };
}
