import type { Command } from 'commander';
import { runClear } from '../actions/clear';
import { withAirflowOptions } from '../config/cli-options';

export function registerClear(program: Command): void {
  withAirflowOptions(program.command('clear'))
    .description(
      "Clear a run's task instances so the scheduler runs them again (the run goes back to queued).",
    )
    .argument('<dag_id>')
    .argument('<run_id>')
    .option('--task <task_id...>', 'only these tasks (default: every task of the run)')
    .option('--failed-only', 'only tasks that failed or were upstream_failed')
    .action(runClear);
}
