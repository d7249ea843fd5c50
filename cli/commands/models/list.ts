import type { Command } from 'commander';
import { runModelsList } from '../../actions/models';
import { withDataRootOption } from '../../config/cli-options';

export function registerModelsList(models: Command): void {
  withDataRootOption(models.command('list'))
    .description(
      'One row per model version: date, rows, ROC AUC, accuracy, F1, verdict, production.',
    )
    .option('--json', 'print JSON (an array of objects) instead of a table')
    .action(runModelsList);
}
