import type { ConnectionBody, ConnectionResponse } from './api-types';
import { envValue, type Env } from '../../base/env';
import { ConfigError, UsageError } from '../../base/errors';

/**
 * `connections add` and `connections list` as data: the connection a command line asks for
 * (its flags checked here, so a usage error needs no configuration and no server), what a
 * dry run shows, and the rows of the list.
 */

export interface ConnectionFlags {
  connType: string;
  host?: string;
  port?: string;
  login?: string;
  passwordEnv?: string;
  extra?: string;
  schema?: string;
  description?: string;
}

/** The connection to write; --password-env is read from `env` (never the command line). */
export function connectionFromFlags(id: string, flags: ConnectionFlags, env: Env): ConnectionBody {
  const port = flags.port === undefined ? undefined : parsePort(flags.port);
  const extra = flags.extra === undefined ? undefined : jsonObject(flags.extra);
  return {
    connection_id: id,
    conn_type: flags.connType,
    host: flags.host,
    port,
    login: flags.login,
    password: flags.passwordEnv === undefined ? undefined : passwordFrom(flags.passwordEnv, env),
    extra,
    schema: flags.schema,
    description: flags.description,
  };
}

/** Usage errors of the flags alone, before any configuration is read. */
export function checkConnectionFlags(flags: ConnectionFlags): void {
  if (flags.port !== undefined) parsePort(flags.port);
  if (flags.extra !== undefined) jsonObject(flags.extra);
}

export const CONNECTION_COLUMNS = [
  'ID',
  'TYPE',
  'HOST',
  'PORT',
  'LOGIN',
  'SCHEMA',
  'PASSWORD',
  'EXTRA',
];

/** One table row per connection; a password shows as ***. */
export function connectionRows(all: ConnectionResponse[]): string[][] {
  return all.map((c) => [
    c.connection_id,
    c.conn_type,
    c.host ?? '',
    c.port == null ? '' : String(c.port),
    c.login ?? '',
    c.schema ?? '',
    c.password ? '***' : '',
    c.extra ?? '',
  ]);
}

/** What `connections add --dry-run` prints: every field that would be sent, never a password. */
export function describeConnection(c: ConnectionBody, passwordEnv?: string): string[] {
  const shown = (v: unknown) => (v === undefined || v === null ? '(cleared)' : String(v));
  return [
    `dry run: would create or overwrite connection ${c.connection_id}`,
    `  conn_type: ${c.conn_type}`,
    `  host: ${shown(c.host)}`,
    `  port: ${shown(c.port)}`,
    `  login: ${shown(c.login)}`,
    `  password: ${c.password === undefined ? '(kept if set)' : `*** (from ${passwordEnv})`}`,
    `  schema: ${shown(c.schema)}`,
    `  extra: ${shown(c.extra)}`,
    `  description: ${shown(c.description)}`,
  ];
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--port must be a port number, not "${raw}"`);
  return port;
}

function passwordFrom(variable: string, env: Env): string {
  const value = envValue(env, variable);
  if (value === undefined) {
    throw new ConfigError(
      `--password-env ${variable}: that environment variable is not set`,
      `export ${variable}=… or put it in .env`,
    );
  }
  return value;
}

/** Airflow stores extra as a string but rejects anything that is not a JSON object. */
function jsonObject(raw: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new UsageError(
      `--extra is not valid JSON: ${(err as Error).message}`,
      'e.g. --extra \'{"path": "/data"}\'',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('--extra must be a JSON object', 'e.g. --extra \'{"path": "/data"}\'');
  }
  return JSON.stringify(parsed);
}
