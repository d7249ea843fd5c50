import type { Command } from 'commander';
import { listConnections, upsertConnections } from '../airflow/connections';
import { formatTable } from '../output/table';
import type { ConnectionBody } from '../airflow/api-types';
import {
  clientFromFlags,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { out, outJson } from '../output/print';
import { connectionsJson } from '../output/json';
import { envValue, loadEnv } from '../base/env';
import { ConfigError, UsageError } from '../errors';

interface AddFlags extends AirflowCommandFlags {
  connType: string;
  host?: string;
  port?: string;
  login?: string;
  passwordEnv?: string;
  extra?: string;
  schema?: string;
  description?: string;
  dryRun?: boolean;
}

export function registerConnections(program: Command): void {
  const connections = program.command('connections').description('Manage Airflow connections.');
  withAirflowOptions(connections.command('add'))
    .description(
      'Create or overwrite a connection (fields not given are cleared; an existing password is kept unless --password-env).',
    )
    .argument('<id>')
    .requiredOption('--conn-type <type>', 'e.g. fs, smtp, postgres')
    .option('--host <host>')
    .option('--port <port>')
    .option('--login <login>')
    .option(
      '--password-env <VAR>',
      'read the password from this environment variable (never from the command line)',
    )
    .option('--extra <json>', 'a JSON object, e.g. \'{"path": "/data"}\'')
    .option('--schema <schema>')
    .option('--description <text>')
    .option(
      '--dry-run',
      'print the connection that would be written (password hidden); send nothing',
    )
    .action(async (id: string, flags: AddFlags) => {
      // Usage errors first: they need no configuration and no server.
      const port = flags.port === undefined ? undefined : parsePort(flags.port);
      const extra = flags.extra === undefined ? undefined : jsonObject(flags.extra);
      const env = loadEnv();
      const connection: ConnectionBody = {
        connection_id: id,
        conn_type: flags.connType,
        host: flags.host,
        port,
        login: flags.login,
        password:
          flags.passwordEnv === undefined ? undefined : passwordFrom(flags.passwordEnv, env),
        extra,
        schema: flags.schema,
        description: flags.description,
      };
      if (flags.dryRun) {
        for (const line of describeConnection(connection, flags.passwordEnv)) out(line);
        return;
      }
      const ids = await upsertConnections(clientFromFlags(flags, env), [connection]);
      out(`upserted connection ${ids.join(', ')}`);
    });

  withAirflowOptions(connections.command('list'))
    .description('List connections (passwords are shown as ***).')
    .option('--json', 'print JSON (has_password instead of the password)')
    .action(async (flags: AirflowCommandFlags & { json?: boolean }) => {
      const all = await listConnections(clientFromFlags(flags));
      if (flags.json) {
        outJson(connectionsJson(all));
        return;
      }
      out(
        formatTable(
          ['ID', 'TYPE', 'HOST', 'PORT', 'LOGIN', 'SCHEMA', 'PASSWORD', 'EXTRA'],
          all.map((c) => [
            c.connection_id,
            c.conn_type,
            c.host ?? '',
            c.port == null ? '' : String(c.port),
            c.login ?? '',
            c.schema ?? '',
            c.password ? '***' : '',
            c.extra ?? '',
          ]),
        ),
      );
    });
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

function passwordFrom(variable: string, env: Record<string, string | undefined>): string {
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
