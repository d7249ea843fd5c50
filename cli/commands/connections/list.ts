import type { Command } from 'commander';
import { runConnectionsList } from '../../actions/connections';
import { withAirflowOptions } from '../../config/cli-options';

export function registerConnectionsList(connections: Command): void {
  withAirflowOptions(connections.command('list'))
    .description('List connections (passwords are shown as ***).')
    .option('--json', 'print JSON (has_password instead of the password)')
    .action(runConnectionsList);
}
