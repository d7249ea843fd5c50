import type { Command } from 'commander';
import { runModelsRollback } from '../../actions/models';
import { withDataRootOption } from '../../config/cli-options';

export function registerModelsRollback(models: Command): void {
  withDataRootOption(models.command('rollback'))
    .description('Switch production back to the model it replaced.')
    .action(runModelsRollback);
}
