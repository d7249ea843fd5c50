import type { Command } from 'commander';
import { collect, runStepRun } from '../../actions/step';
import { withDataRootOption } from '../../config/cli-options';

export function registerStepRun(step: Command): void {
  withDataRootOption(step.command('run'))
    .description(
      'Run a step image as a DAG task would: no network, non-root, the data root at /data',
    )
    .argument('<name>', 'the step (its folder under docker/steps/)')
    .option('--input <name=path>', 'an input, relative to the data root (repeat)', collect, [])
    .option('--output <name=path>', 'an output, relative to the data root (repeat)', collect, [])
    .option(
      '--param <name=value>',
      'a parameter (repeat); left out: the contract default',
      collect,
      [],
    )
    .option('--ds <date>', 'the run date passed as --ds (default: today, UTC)')
    .option(
      '--user <uid:gid>',
      'the user it runs as (default: $AIRFLOW_ML_STEP_USER, else 1000:1000)',
    )
    .action(runStepRun);
}
