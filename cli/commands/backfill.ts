import type { Command } from 'commander';
import { runBackfill } from '../actions/backfill';
import { withAirflowOptions } from '../config/cli-options';

export function registerBackfill(program: Command): void {
  withAirflowOptions(program.command('backfill'))
    .description(
      'Run a DAG for every logical date in a range (Airflow 3 backfill), show its progress, or cancel it. The scheduler runs the backfill; --wait follows it to the end (exit 6 if a run failed).',
    )
    .argument('<dag_id>')
    .option('--from <YYYY-MM-DD>', 'first logical date (inclusive)')
    .option('--to <YYYY-MM-DD>', 'last logical date (inclusive)')
    .option(
      '--reprocess <what>',
      'dates that already have a run: none (skip them), failed (rerun failed ones), completed (rerun all)',
      'none',
    )
    .option('--max-active-runs <n>', 'runs at a time (Airflow default 10)')
    .option('--wait', 'follow the backfill until every run finished; exit 6 if any failed')
    .option('--timeout <seconds>', 'with --wait: give up after this long', '3600')
    .option('--poll <seconds>', 'with --wait: seconds between checks', '3')
    .option('--status', "show the DAG's latest backfill and its runs")
    .option(
      '--cancel',
      "cancel the DAG's running backfill (its queued runs fail, running ones finish)",
    )
    .action(runBackfill);
}
