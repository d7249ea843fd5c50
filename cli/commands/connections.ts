import type { Command } from 'commander';
import { listConnections, upsertConnections } from '../ops/airflow/connections';
import * as input from '../ops/airflow/connection-input';
import { loadEnv } from '../base/env';
import {
  clientFromFlags,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';
import { connectionsJson } from '../output/json';
import { out, outJson, outTable } from '../output/print';

type AddFlags = AirflowCommandFlags & input.ConnectionFlags & { dryRun?: boolean };

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
      input.checkConnectionFlags(flags);
      const env = loadEnv();
      const connection = input.connectionFromFlags(id, flags, env);
      if (flags.dryRun)
        return input.describeConnection(connection, flags.passwordEnv).forEach((l) => out(l));
      const ids = await upsertConnections(clientFromFlags(flags, env), [connection]);
      out(`upserted connection ${ids.join(', ')}`);
    });

  withAirflowOptions(connections.command('list'))
    .description('List connections (passwords are shown as ***).')
    .option('--json', 'print JSON (has_password instead of the password)')
    .action(async (flags: AirflowCommandFlags & { json?: boolean }) => {
      const all = await listConnections(clientFromFlags(flags));
      if (flags.json) outJson(connectionsJson(all));
      else outTable(input.CONNECTION_COLUMNS, input.connectionRows(all));
    });
}
