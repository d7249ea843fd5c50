import type { Command } from 'commander';
import { runVariablesImport } from '../../actions/variables';
import { withAirflowOptions } from '../../config/cli-options';

export const VARIABLES_HELP =
  'Import or export variables as JSON, in the format of `airflow variables import/export`.';

export function registerVariablesImport(variables: Command): void {
  withAirflowOptions(variables.command('import'))
    .description('Create or overwrite every variable in FILE (- reads standard input).')
    .argument('<file>')
    .option('--dry-run', 'check the file and list what would be set; send nothing')
    .action(runVariablesImport);
}
