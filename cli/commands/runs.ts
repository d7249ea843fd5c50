import type { Command } from 'commander';
import { runRuns } from '../actions/runs';
import { withAirflowOptions } from '../config/cli-options';

export function registerRuns(program: Command): void {
  withAirflowOptions(program.command('runs'))
    .description("Recent runs of a DAG, newest first, with each task's state.")
    .argument('<dag_id>')
    .option('--limit <n>', 'how many runs', '10')
    .option('--json', 'print JSON (see "Machine-readable output" in the README)')
    .action(runRuns);
}
