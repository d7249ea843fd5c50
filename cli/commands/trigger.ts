import type { Command } from 'commander';
import { runTrigger } from '../actions/trigger';
import { withAirflowOptions } from '../config/cli-options';

export function registerTrigger(program: Command): void {
  withAirflowOptions(program.command('trigger'))
    .description(
      'Start a DAG run for a logical date (midnight UTC); with --wait, follow it to the end.',
    )
    .argument('<dag_id>')
    .option('--date <YYYY-MM-DD>', 'logical date, i.e. {{ ds }} (default: today, UTC)')
    .option(
      '--wait',
      'wait for the run to finish; exit 6 and print the failed task log tail if it fails',
    )
    .option('--timeout <seconds>', 'with --wait: give up after this long', '1800')
    .option('--poll <seconds>', 'with --wait: seconds between status checks', '2')
    .action(runTrigger);
}
