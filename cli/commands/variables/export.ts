import type { Command } from 'commander';
import { runVariablesExport } from '../../actions/variables';
import { withAirflowOptions } from '../../config/cli-options';

export function registerVariablesExport(variables: Command): void {
  withAirflowOptions(variables.command('export'))
    .description('Write every variable to FILE (mode 0600; - writes standard output).')
    .argument('<file>')
    .action(runVariablesExport);
}
