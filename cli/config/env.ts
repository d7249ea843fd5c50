import * as path from 'node:path';
import { readDotenvFile } from './dotenv';

/** Environment variables as the CLI sees them: process env first, then `.env` in cwd. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Values already in the process environment win over `.env`, as with docker compose and
 * python-dotenv, so `AIRFLOW_PASSWORD=x airflow-ml …` overrides the file for one command.
 */
export function loadEnv(cwd: string = process.cwd(), processEnv: Env = process.env): Env {
  const fromFile = readDotenvFile(path.join(cwd, '.env'));
  const merged: Record<string, string | undefined> = Object.fromEntries(fromFile);
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) merged[k] = v;
  return merged;
}

/** An env value, with empty strings treated as unset (compose writes `X=` for "no value"). */
export function envValue(env: Env, key: string): string | undefined {
  const v = env[key];
  return v === undefined || v === '' ? undefined : v;
}
