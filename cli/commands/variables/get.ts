import type { Command } from 'commander';
import { runGetVariable } from '../../actions/variables';
import { withAirflowOptions } from '../../config/cli-options';

export function registerGetVariable(program: Command): void {
  withAirflowOptions(program.command('get-variable'))
    .description("Print an Airflow variable's value.")
    .argument('<key>')
    .option('--json', 'print JSON: {"key", "value", "description", "masked"}')
    .action(runGetVariable);
}
