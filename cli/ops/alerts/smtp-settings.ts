import type { ConnectionBody } from '../airflow/api-types';
import { envValue, type Env } from '../../base/env';
import { ConfigError } from '../../base/errors';

/**
 * SMTP settings from SMTP_* variables: the single source for both the Airflow `smtp_default`
 * connection (used by the DAGs' SmtpNotifier) and `alerts test`, so a test mail proves the
 * exact settings the alerts will use.
 *
 *   SMTP_HOST (required), SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM,
 *   SMTP_SSL (implicit TLS, default false), SMTP_STARTTLS (default true)
 */
export interface SmtpSettings {
  host: string;
  port: number;
  user?: string;
  password?: string;
  /** Implicit TLS from the first byte (usually port 465). */
  ssl: boolean;
  /** Upgrade a plain connection with STARTTLS (usually port 587); required when true. */
  starttls: boolean;
  from: string;
}

export function smtpSettingsFromEnv(env: Env): SmtpSettings | undefined {
  const host = envValue(env, 'SMTP_HOST');
  if (!host) return undefined;
  const ssl = parseBool(env, 'SMTP_SSL', false);
  const starttls = parseBool(env, 'SMTP_STARTTLS', !ssl);
  if (ssl && starttls) {
    throw new ConfigError(
      'SMTP_SSL and SMTP_STARTTLS are both true',
      'choose one: SMTP_SSL=true for implicit TLS (port 465) or SMTP_STARTTLS=true (port 587)',
    );
  }
  const portText = envValue(env, 'SMTP_PORT');
  const port = portText === undefined ? (ssl ? 465 : starttls ? 587 : 25) : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`SMTP_PORT must be a port number, not "${portText}"`);
  }
  const user = envValue(env, 'SMTP_USER');
  return {
    host,
    port,
    user,
    password: envValue(env, 'SMTP_PASSWORD'),
    ssl,
    starttls,
    from: envValue(env, 'SMTP_FROM') ?? (user?.includes('@') ? user : 'airflow-ml@localhost'),
  };
}

export function requireSmtpSettings(env: Env): SmtpSettings {
  const settings = smtpSettingsFromEnv(env);
  if (!settings) {
    throw new ConfigError(
      'SMTP_HOST is not set',
      'set SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_STARTTLS/SMTP_SSL) in the environment or .env',
    );
  }
  return settings;
}

/**
 * The `smtp_default` connection for Airflow's smtp provider. Its hook turns SSL and STARTTLS
 * on unless the extra disables them, and it uses `from_email` from the extra.
 */
export function smtpConnection(s: SmtpSettings, connectionId = 'smtp_default'): ConnectionBody {
  return {
    connection_id: connectionId,
    conn_type: 'smtp',
    host: s.host,
    port: s.port,
    login: s.user ?? null,
    password: s.password ?? null,
    extra: JSON.stringify({ disable_ssl: !s.ssl, disable_tls: !s.starttls, from_email: s.from }),
  };
}

function parseBool(env: Env, key: string, fallback: boolean): boolean {
  const raw = envValue(env, key);
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${key} must be true or false, not "${raw}"`);
}
