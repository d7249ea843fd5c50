import type { Command } from 'commander';
import { registerModelsList } from './list';
import { registerModelsPromote } from './promote';
import { registerModelsRollback } from './rollback';
import { registerModelsShow } from './show';

export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('The model registry in the data root: list, promote, roll back, model cards.');
  registerModelsList(models);
  registerModelsPromote(models);
  registerModelsRollback(models);
  registerModelsShow(models);
}
