import type { Command } from 'commander';
import { registerStepNew } from './new';
import { registerStepRun } from './run';

export function registerStep(program: Command): void {
  const step = program
    .command('step')
    .description('Write your own step (docker/steps/<name>/) and run it as a DAG would');
  registerStepNew(step);
  registerStepRun(step);
}
