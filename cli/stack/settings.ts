import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../config/atomic-write';
import { parseDotenv } from '../config/dotenv';
import type { Env } from '../config/env';
import { ConfigError } from '../errors';
import { setEnvValue } from '../fernet/env-file';
import { generateFernetKeyFile } from '../fernet/generate';

/**
 * The stack's settings live in one env file (default <project>/.env), which docker compose
 * reads for ${...} substitution and the CLI reads for AIRFLOW_URL and the login. `up` fills
 * in what is missing and never changes a value that is there: secrets (FERNET_KEY, the JWT
 * secret) must stay stable across restarts or stored secrets and sessions break.
 * A value in the process environment wins over the file, as with compose itself.
 */

export const STACK_PROJECT_NAME = 'airflow-ml';
export const DEFAULT_PORT = 8080;
export const DEFAULT_LOGIN = 'airflow';
/** uid of the official image's `airflow` user; also used when `up` runs as root. */
export const DEFAULT_AIRFLOW_UID = 50000;
/** The step images' `node` user, for a data root created by root. */
export const DEFAULT_STEP_USER = '1000:1000';

export interface StackSettings {
  envFile: string;
  /** Absolute host path; mounted at the same path in the Airflow containers. */
  dataRoot: string;
  stepUser: string;
  airflowUid: number;
  port: number;
  url: string;
  username: string;
  password: string;
  /** The env file merged under the process environment. */
  env: Env;
  /** Keys this call wrote (never their values: some are secrets). */
  written: string[];
}

export interface EnsureSettingsOptions {
  root: string;
  envFile: string;
  /** gid owning the Docker socket, for the scheduler's group_add. */
  dockerGid: number;
  processEnv?: Env;
  uid?: number;
  gid?: number;
}

export function ensureStackSettings(options: EnsureSettingsOptions): StackSettings {
  const processEnv = options.processEnv ?? process.env;
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const gid = options.gid ?? process.getgid?.() ?? 0;
  const written: string[] = [];
  const has = (key: string) => Boolean(processEnv[key] || readEnvFile(options.envFile).get(key));

  if (!fs.existsSync(options.envFile)) {
    writeFileAtomic(
      options.envFile,
      '# Settings of the local Airflow stack (docker-compose.yml), written by `airflow-ml up`.\n' +
        '# `up` only adds missing values; edit freely. Holds secrets: keep it private.\n',
      0o600,
    );
  }
  if (!has('FERNET_KEY')) {
    generateFernetKeyFile({ envFile: options.envFile });
    written.push('FERNET_KEY');
  }
  const defaults: [string, string][] = [
    ['COMPOSE_PROJECT_NAME', STACK_PROJECT_NAME],
    ['AIRFLOW__API_AUTH__JWT_SECRET', randomBytes(32).toString('base64url')],
    ['AIRFLOW_UID', String(uid === 0 ? DEFAULT_AIRFLOW_UID : uid)],
    ['DOCKER_GID', String(options.dockerGid)],
    ['AIRFLOW_ML_DATA_ROOT', path.join(options.root, 'data')],
    ['AIRFLOW_ML_STEP_USER', uid === 0 ? DEFAULT_STEP_USER : `${uid}:${gid}`],
    ['AIRFLOW_PORT', String(DEFAULT_PORT)],
    ['AIRFLOW_URL', `http://localhost:${DEFAULT_PORT}`],
    ['AIRFLOW_USERNAME', DEFAULT_LOGIN],
    // Random rather than compose's airflow/airflow default: the api-server port is published.
    ['AIRFLOW_PASSWORD', randomBytes(12).toString('base64url')],
  ];
  for (const [key, value] of defaults) {
    if (!has(key)) {
      setStackEnvValue(options.envFile, key, value);
      written.push(key);
    }
  }
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
): Omit<StackSettings, 'written'> {
  const env: Record<string, string | undefined> = Object.fromEntries(readEnvFile(envFile));
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
  if (!/^\d+:\d+$/.test(get('AIRFLOW_ML_STEP_USER'))) {
    throw new ConfigError(
      `AIRFLOW_ML_STEP_USER must be numeric uid:gid, not "${env.AIRFLOW_ML_STEP_USER}"`,
    );
  }
  return {
    envFile,
    dataRoot,
    stepUser: get('AIRFLOW_ML_STEP_USER'),
    airflowUid: uid,
    port,
    url: get('AIRFLOW_URL'),
    username: get('AIRFLOW_USERNAME'),
    password: get('AIRFLOW_PASSWORD'),
    env,
  };
}

function readEnvFile(file: string): Map<string, string> {
  try {
    return parseDotenv(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
}
