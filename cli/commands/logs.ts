import type { Command } from 'commander';
import { runLogs } from '../actions/logs';
import { withAirflowOptions } from '../config/cli-options';

export function registerLogs(program: Command): void {
  withAirflowOptions(program.command('logs'))
    .description("Print a task's log for one try (default: the latest).")
    .argument('<dag_id>')
    .argument('<run_id>')
    .argument('<task_id>')
    .option('--try <n>', 'try number (1 is the first)')
    .option('--map-index <n>', 'for mapped tasks')
    .action(runLogs);
}
