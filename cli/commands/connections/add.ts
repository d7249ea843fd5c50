import type { Command } from 'commander';
import { runConnectionsAdd } from '../../actions/connections';
import { withAirflowOptions } from '../../config/cli-options';

export function registerConnectionsAdd(connections: Command): void {
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
    .action(runConnectionsAdd);
}
