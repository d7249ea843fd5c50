import { Option, type Command } from 'commander';
import { AirflowClient } from '../ops/airflow/client';
import { UsageError } from '../base/errors';
import {
  resolveAirflowSettings,
  resolveAirflowUrl,
  resolveHttpTimeoutMs,
  type AirflowFlags,
} from './airflow';
import { loadEnv, type Env } from '../base/env';

/** Flags shared by every command that talks to Airflow. */
export interface AirflowCommandFlags extends AirflowFlags {
  verbose?: boolean;
}

/**
 * The Airflow connection flags. Each maps to its environment variable with commander's
 * `Option.env` (a flag, then the process environment); what neither gives comes from the
 * project's `.env` (cli/base/env.ts), then the default.
 */
/** The data root flag of the commands that read it directly (`models …`). */
export function withDataRootOption(cmd: Command): Command {
  return cmd.option(
    '--data-root <dir>',
    'the data root (default: AIRFLOW_ML_DATA_ROOT from the environment or .env)',
  );
}

export function withAirflowOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--airflow-url <url>', 'api-server base URL (default http://localhost:8080)').env(
        'AIRFLOW_URL',
      ),
    )
    .addOption(new Option('--username <name>', 'Airflow user').env('AIRFLOW_USERNAME'))
    .addOption(
      new Option(
        '--password <password>',
        'Airflow password (prefer the environment or .env over this flag)',
      ).env('AIRFLOW_PASSWORD'),
    )
    .addOption(
      new Option('--http-timeout <seconds>', 'timeout per HTTP request (default 30)').env(
        'AIRFLOW_HTTP_TIMEOUT',
      ),
    )
    .option('-v, --verbose', 'log every request to stderr (credentials are never shown)');
}

/** A client configured from flags, the environment and the project's `.env`. */
export function clientFromFlags(flags: AirflowCommandFlags, env: Env = loadEnv()): AirflowClient {
  const settings = resolveAirflowSettings(flags, env);
  return new AirflowClient({
    url: settings.url,
    username: settings.username,
    password: settings.password,
    timeoutMs: settings.timeoutMs,
    log: flags.verbose ? (line) => process.stderr.write(`[http] ${line}\n`) : undefined,
  });
}

/** A client for the open endpoints (health, version): only the URL and timeout matter. */
export function publicClientFromFlags(
  flags: AirflowCommandFlags,
  env: Env = loadEnv(),
): AirflowClient {
  return new AirflowClient({
    url: resolveAirflowUrl(flags, env),
    username: '',
    password: '',
    timeoutMs: resolveHttpTimeoutMs(flags, env),
    log: flags.verbose ? (line) => process.stderr.write(`[http] ${line}\n`) : undefined,
  });
}

/** A flag that must be a number > 0 (seconds, counts). */
export function positiveNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive number, not "${raw}"`);
  return n;
}

/** A flag that must be a whole number >= 1 (counts). */
export function positiveInteger(flag: string, raw: string | undefined, fallback: number): number {
  const n = positiveNumber(flag, raw, fallback);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be a whole number, not "${raw}"`);
  return n;
}

/** A value that must be one of `allowed`; `what` names it in the error ("--reprocess", "STATE"). */
export function choice<T extends string>(what: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${what} must be one of ${allowed.join(', ')}, not "${raw}"`);
}
