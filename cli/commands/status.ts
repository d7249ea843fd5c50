import type { Command } from 'commander';
import { runStatus } from '../actions/status';
import { withAirflowOptions } from '../config/cli-options';

export function registerStatus(program: Command): void {
  withAirflowOptions(program.command('status'))
    .description(
      'Airflow version, the health of metadatabase, scheduler, dag-processor and triggerer (exit 1 if any is unhealthy), and the alert path: the local mail sink or SMTP, checked without sending (non-zero exit if it refuses).',
    )
    .option('--json', 'print JSON (see "Machine-readable output" in the README)')
    .action(runStatus);
}
