import type { Command } from 'commander';
import { runModelsShow } from '../../actions/models';
import { withDataRootOption } from '../../config/cli-options';

export function registerModelsShow(models: Command): void {
  withDataRootOption(models.command('show'))
    .description(
      'Write a self-contained HTML model card (ROC curve, confusion matrix, coefficients).',
    )
    .argument('<model>', 'a date (its newest validated model) or <date>/<version>')
    .option('-o, --output <file>', 'where to write it (- for standard output)', 'model-card.html')
    .action(runModelsShow);
}
