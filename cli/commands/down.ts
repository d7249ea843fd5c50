import type { Command } from 'commander';
import { runDown } from '../actions/down';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description(
      "Stop the local Airflow stack. Airflow's database (runs, variables, connections) and the data root are kept unless --volumes.",
    )
    .option('--stack-env-file <file>', 'stack settings (default <project>/.env)')
    .option(
      '--volumes',
      "also delete Airflow's database volume (asks first; the data root is never deleted)",
    )
    .option('-y, --yes', 'with --volumes: delete without asking (needed without a terminal)')
    .action(runDown);
}
