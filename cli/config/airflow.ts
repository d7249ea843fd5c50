import { ConfigError, UsageError } from '../base/errors';
import { envValue, type Env } from '../base/env';

/** Where Airflow is and how to log in: flags win over the environment, which wins over `.env`. */
export interface AirflowFlags {
  airflowUrl?: string;
  username?: string;
  password?: string;
  /** Seconds per HTTP request. */
  httpTimeout?: string;
}

export interface AirflowSettings {
  url: string;
  username: string;
  password: string;
  timeoutMs: number;
}

export const DEFAULT_AIRFLOW_URL = 'http://localhost:8080';

export function resolveAirflowUrl(flags: AirflowFlags, env: Env): string {
  const raw = flags.airflowUrl ?? envValue(env, 'AIRFLOW_URL') ?? DEFAULT_AIRFLOW_URL;
  // "localhost:8080" would otherwise parse as a URL whose scheme is "localhost:".
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(u.protocol);
  } catch {
    throw new ConfigError(
      'AIRFLOW_URL is not an http(s) URL',
      'set it to the api-server base URL, e.g. http://localhost:8080',
    );
  }
  return url;
}

export function resolveHttpTimeoutMs(flags: AirflowFlags, env: Env): number {
  const raw = flags.httpTimeout ?? envValue(env, 'AIRFLOW_HTTP_TIMEOUT') ?? '30';
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--http-timeout must be a positive number of seconds, not "${raw}"`);
  }
  return Math.round(seconds * 1000);
}

export function resolveAirflowSettings(flags: AirflowFlags, env: Env): AirflowSettings {
  // A bad --http-timeout is a usage error (exit 2), reported before missing credentials (9).
  const timeoutMs = resolveHttpTimeoutMs(flags, env);
  const username = flags.username ?? envValue(env, 'AIRFLOW_USERNAME');
  const password = flags.password ?? envValue(env, 'AIRFLOW_PASSWORD');
  const missing = [username ? '' : 'AIRFLOW_USERNAME', password ? '' : 'AIRFLOW_PASSWORD'].filter(
    Boolean,
  );
  if (missing.length > 0 || !username || !password) {
    throw new ConfigError(
      `no Airflow credentials: ${missing.join(' and ')} not set`,
      "set them in the environment or in the project's .env (or pass --username/--password)",
    );
  }
  return {
    url: resolveAirflowUrl(flags, env),
    username,
    password,
    timeoutMs,
  };
}
