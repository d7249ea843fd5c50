import type { Command } from 'commander';
import { runSetVariable } from '../../actions/variables';
import { withAirflowOptions } from '../../config/cli-options';

export function registerSetVariable(program: Command): void {
  withAirflowOptions(program.command('set-variable'))
    .description(
      'Create or overwrite an Airflow variable. PROD_DIR is checked first: a clean path relative to the data root naming a validated model.',
    )
    .argument('<key>')
    .argument('<value>')
    .option('--data-root <dir>', 'the data root, to check PROD_DIR (default: AIRFLOW_ML_DATA_ROOT)')
    .option('--force', 'set PROD_DIR even when it names no validated model')
    .option('--dry-run', 'check the value and print what would be set; send nothing')
    .action(runSetVariable);
}
