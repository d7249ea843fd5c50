import type { Command } from 'commander';
import { runModelsPromote } from '../../actions/models';
import { withDataRootOption } from '../../config/cli-options';

export function registerModelsPromote(models: Command): void {
  withDataRootOption(models.command('promote'))
    .description('Make a model the production model (the same atomic switch as the promote step).')
    .argument('<model>', 'a date (its newest validated model) or <date>/<version>')
    .option('--force', 'also promote a model that failed or skipped validation')
    .action(runModelsPromote);
}
