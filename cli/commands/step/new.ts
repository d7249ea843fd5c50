import type { Command } from 'commander';
import { runStepNew } from '../../actions/step';

export function registerStepNew(step: Command): void {
  step
    .command('new')
    .description('Scaffold docker/steps/<name>/: contract, code, a unit test and a fixture')
    .argument('<name>', 'lower-case letters, digits and dashes; names the folder and the image')
    .requiredOption('--lang <lang>', 'ts (on the shared Node base) or python (its own Dockerfile)')
    .action(runStepNew);
}
