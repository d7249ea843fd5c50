import * as path from 'node:path';
import { projectRoot } from './paths';
import { readDotenvFile } from './dotenv';

/** Environment variables as the CLI sees them: the process environment, then the project's `.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The project's `.env`: `<project root>/.env`, found from where the CLI is installed and never
 * from the working directory, so a command run from a subfolder reads the same credentials
 * `up` wrote. AIRFLOW_ML_ENV_FILE names another file (tests give each run its own).
 */
export function projectEnvFile(processEnv: Env = process.env): string {
  const named = processEnv.AIRFLOW_ML_ENV_FILE;
  return named ? path.resolve(named) : path.join(projectRoot(), '.env');
}

/**
 * Settings precedence (README, "Settings"): a flag, then the process environment (commander
 * `Option.env` maps the two), then the project's `.env`, then the default. Values already in
 * the process environment win over `.env`, as with docker compose and python-dotenv, so
 * `AIRFLOW_PASSWORD=x airflow-ml …` overrides the file for one command.
 */
export function loadEnv(envFile: string = projectEnvFile(), processEnv: Env = process.env): Env {
  const fromFile = readDotenvFile(envFile);
  const merged: Record<string, string | undefined> = Object.fromEntries(fromFile);
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) merged[k] = v;
  return merged;
}

/** An env value, with empty strings treated as unset (compose writes `X=` for "no value"). */
export function envValue(env: Env, key: string): string | undefined {
  const v = env[key];
  return v === undefined || v === '' ? undefined : v;
}
