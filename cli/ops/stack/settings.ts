import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mailSinkPort } from '../alerts/mail-sink';
import { writeFileAtomic } from '../../base/atomic-write';
import { parseDotenv, readDotenvFile } from '../../base/dotenv';
import type { Env } from '../../base/env';
import { DEFAULT_STEP_USER, isNonRootStepUser } from '../../compiler/emit/settings';
import { ConfigError } from '../../base/errors';
import { setEnvValue } from '../fernet/env-file';
import { generateFernetKey } from '../fernet/key';

/**
 * The stack's settings live in one env file (default <project>/.env), the user's single place
 * to set them: docker compose reads it for ${...} substitution, the CLI for AIRFLOW_URL and the
 * login, and `up` writes the secrets in it to files that reach the containers as compose
 * secrets (cli/ops/stack/secrets.ts), never as environment. `up` fills in what is missing and
 * never changes a value that is there: secrets (FERNET_KEY, the JWT secret, the database
 * password) must stay stable across restarts or stored secrets and sessions break.
 * A value in the process environment wins over the file, as with compose itself.
 */

export const STACK_PROJECT_NAME = 'airflow-ml';
export const DEFAULT_PORT = 8080;
export const DEFAULT_LOGIN = 'airflow';
/** uid of the official image's `airflow` user; also used when `up` runs as root. */
export const DEFAULT_AIRFLOW_UID = 50000;
/** Where the api-server's port is published unless AIRFLOW_BIND_ADDRESS says otherwise. */
export const DEFAULT_BIND_ADDRESS = '127.0.0.1';
/** The database password of stacks created before it was generated (docker-compose.yml had it). */
export const LEGACY_POSTGRES_PASSWORD = 'airflow';

export interface StackSettings {
  envFile: string;
  /** Absolute host path; mounted at the same path in the Airflow containers. */
  dataRoot: string;
  stepUser: string;
  airflowUid: number;
  port: number;
  url: string;
  /** Host address the api-server's port is published on (AIRFLOW_BIND_ADDRESS). */
  bindAddress: string;
  /** Port of the mail sink's HTTP API on 127.0.0.1 (AIRFLOW_ML_MAIL_PORT, default 8025). */
  mailPort: number;
  username: string;
  password: string;
  /** Folder of the secret files `up` writes from the env file (AIRFLOW_ML_SECRETS_DIR). */
  secretsDir: string;
  /** The env file merged under the process environment. */
  env: Env;
  /** Keys this call wrote (never their values: some are secrets). */
  written: string[];
}

/** What a missing env file starts with. */
const ENV_FILE_HEADER =
  '# Settings of the local Airflow stack (docker-compose.yml), written by `airflow-ml up`.\n' +
  '# `up` only adds missing values; edit freely. Holds secrets: keep it private.\n';

export interface SettingsFacts {
  root: string;
  envFile: string;
  /** The env file as it is now (empty when it does not exist). */
  fileEnv: ReadonlyMap<string, string>;
  processEnv: Env;
  dockerGid: number;
  databaseExists: boolean;
  uid: number;
  gid: number;
}

/** Where `planStackSettings` gets its random values; tests pass fixed ones. */
export interface SecretSource {
  fernetKey(): string;
  token(bytes: number): string;
}

export const RANDOM: SecretSource = {
  fernetKey: generateFernetKey,
  token: (bytes) => randomBytes(bytes).toString('base64url'),
};

/**
 * The settings `up` adds, in order: every key neither the process environment nor the env
 * file has a value for. Pure (given `random`): it reads and writes nothing.
 */
export function planStackSettings(
  facts: SettingsFacts,
  random: SecretSource = RANDOM,
): [key: string, value: string][] {
  const { uid, gid } = facts;
  const has = (key: string) => Boolean(facts.processEnv[key] || facts.fileEnv.get(key));
  const candidates: [string, () => string][] = [
    ['FERNET_KEY', () => random.fernetKey()],
    ['COMPOSE_PROJECT_NAME', () => STACK_PROJECT_NAME],
    ['AIRFLOW__API_AUTH__JWT_SECRET', () => random.token(32)],
    ['AIRFLOW_UID', () => String(uid === 0 ? DEFAULT_AIRFLOW_UID : uid)],
    ['DOCKER_GID', () => String(facts.dockerGid)],
    ['AIRFLOW_ML_DATA_ROOT', () => path.join(facts.root, 'data')],
    ['AIRFLOW_ML_STEP_USER', () => (uid === 0 ? DEFAULT_STEP_USER : `${uid}:${gid}`)],
    ['AIRFLOW_PORT', () => String(DEFAULT_PORT)],
    ['AIRFLOW_URL', () => `http://localhost:${DEFAULT_PORT}`],
    ['AIRFLOW_USERNAME', () => DEFAULT_LOGIN],
    // Random rather than compose's airflow/airflow default: the api-server port is published.
    ['AIRFLOW_PASSWORD', () => random.token(12)],
    // The Celery broker's password (docker-compose.celery.yml): Redis is reachable from every
    // local user through the bridge network, so never without one.
    ['REDIS_PASSWORD', () => random.token(18)],
    [
      'POSTGRES_PASSWORD',
      () => (facts.databaseExists ? LEGACY_POSTGRES_PASSWORD : random.token(18)),
    ],
    // Next to the env file, so each env file (the tests use their own) has its own secrets.
    [
      'AIRFLOW_ML_SECRETS_DIR',
      () => path.join(path.dirname(path.resolve(facts.envFile)), '.secrets'),
    ],
  ];
  return candidates.filter(([key]) => !has(key)).map(([key, value]) => [key, value()]);
}

/**
 * Add `values` to the env file in one atomic write (mode 0600), creating it with a header
 * when missing; keys that already have a value are left as they are. Returns the keys added.
 */
export function addStackEnvValues(envFile: string, values: [string, string][]): string[] {
  const exists = fs.existsSync(envFile);
  let text = exists ? fs.readFileSync(envFile, 'utf8') : ENV_FILE_HEADER;
  const added: string[] = [];
  for (const [key, value] of values) {
    if (parseDotenv(text).get(key)) continue;
    text = setEnvValue(text, key, value).text;
    added.push(key);
  }
  if (!exists || added.length > 0) writeFileAtomic(envFile, text, 0o600);
  return added;
}

export interface EnsureSettingsOptions {
  root: string;
  envFile: string;
  /** gid owning the Docker socket, for the socket proxy's group_add. */
  dockerGid: number;
  /**
   * Whether the stack's database volume already exists: its cluster was then initialised
   * with the legacy password, which a new random POSTGRES_PASSWORD would not match.
   */
  databaseExists?: boolean;
  processEnv?: Env;
  uid?: number;
  gid?: number;
}

/** planStackSettings, then its values written in one go: the settings as compose sees them. */
export function ensureStackSettings(options: EnsureSettingsOptions): StackSettings {
  const processEnv = options.processEnv ?? process.env;
  const plan = planStackSettings({
    root: options.root,
    envFile: options.envFile,
    fileEnv: readDotenvFile(options.envFile),
    processEnv,
    dockerGid: options.dockerGid,
    databaseExists: options.databaseExists ?? false,
    uid: options.uid ?? process.getuid?.() ?? 0,
    gid: options.gid ?? process.getgid?.() ?? 0,
  });
  const written = addStackEnvValues(options.envFile, plan);
  return { ...readStackSettings(options.envFile, processEnv), written };
}

/** Add `key=value` to the env file only if the file has no value for it. */
export function setStackEnvValue(envFile: string, key: string, value: string): boolean {
  const text = fs.existsSync(envFile) ? fs.readFileSync(envFile, 'utf8') : '';
  if (parseDotenv(text).get(key)) return false;
  writeFileAtomic(envFile, setEnvValue(text, key, value).text, 0o600);
  return true;
}

/** The settings as compose will see them: process environment over the env file. */
export function readStackSettings(
  envFile: string,
  processEnv: Env = process.env,
  fileEnv: ReadonlyMap<string, string> = readDotenvFile(envFile),
): Omit<StackSettings, 'written'> {
  const env: Record<string, string | undefined> = Object.fromEntries(fileEnv);
  for (const [k, v] of Object.entries(processEnv)) if (v) env[k] = v;
  const get = (key: string): string => {
    const v = env[key];
    if (!v) {
      throw new ConfigError(
        `${key} is not set in ${envFile}`,
        'run `airflow-ml up`, which fills it in',
      );
    }
    return v;
  };
  const dataRoot = get('AIRFLOW_ML_DATA_ROOT');
  if (!path.isAbsolute(dataRoot)) {
    throw new ConfigError(
      `AIRFLOW_ML_DATA_ROOT must be an absolute path on the Docker host, not "${dataRoot}"`,
      `the Airflow containers mount it at the same path, and DockerOperator bind sources are host paths; fix it in ${envFile}`,
    );
  }
  const port = Number(get('AIRFLOW_PORT'));
  const uid = Number(get('AIRFLOW_UID'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`AIRFLOW_PORT must be a port number, not "${env.AIRFLOW_PORT}"`);
  }
  if (!Number.isInteger(uid) || uid < 0) {
    throw new ConfigError(`AIRFLOW_UID must be a numeric uid, not "${env.AIRFLOW_UID}"`);
  }
  const secretsDir = get('AIRFLOW_ML_SECRETS_DIR');
  if (!path.isAbsolute(secretsDir)) {
    throw new ConfigError(
      `AIRFLOW_ML_SECRETS_DIR must be an absolute path, not "${secretsDir}"`,
      `fix it in ${envFile}, or remove it and run \`airflow-ml up\`, which fills it in`,
    );
  }
  if (!isNonRootStepUser(get('AIRFLOW_ML_STEP_USER'))) {
    throw new ConfigError(
      `AIRFLOW_ML_STEP_USER must be a numeric uid:gid other than root, not "${env.AIRFLOW_ML_STEP_USER}"`,
      `fix it in ${envFile}: the uid:gid that owns the data root`,
    );
  }
  return {
    envFile,
    dataRoot,
    stepUser: get('AIRFLOW_ML_STEP_USER'),
    airflowUid: uid,
    port,
    url: get('AIRFLOW_URL'),
    bindAddress: env.AIRFLOW_BIND_ADDRESS || DEFAULT_BIND_ADDRESS,
    mailPort: mailSinkPort(env),
    username: get('AIRFLOW_USERNAME'),
    password: get('AIRFLOW_PASSWORD'),
    secretsDir,
    env,
  };
}
