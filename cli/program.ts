import { Command } from 'commander';
import { registerCompile } from './commands/compile';
import { registerValidate } from './commands/validate';
import { registerAlerts } from './commands/alerts';
import { registerBackfill } from './commands/backfill';
import { registerClear } from './commands/clear';
import { registerCompletion } from './commands/completion';
import { registerImages } from './commands/images';
import { registerConnections } from './commands/connections';
import { registerDeploy } from './commands/deploy';
import { registerDown } from './commands/down';
import { registerFernet } from './commands/fernet';
import { registerLogs } from './commands/logs';
import { registerMark } from './commands/mark';
import { registerModels } from './commands/models';
import { registerPause } from './commands/pause';
import { registerRuns } from './commands/runs';
import { registerStatus } from './commands/status';
import { registerStep } from './commands/step';
import { registerTrigger } from './commands/trigger';
import { registerUp } from './commands/up';
import { registerVariables } from './commands/variables';
import { attachExamples } from './examples';
import { packageVersion } from './base/paths';

/** Registers every command. Each command file is a thin adapter over a library. */
export function buildProgram(): Command {
  const program = new Command('airflow-ml')
    .description(
      'Compile ML pipeline specs into Airflow 3 DAGs and drive Airflow through its REST API v2.',
    )
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError();
  registerCompile(program);
  registerValidate(program);
  registerDeploy(program);
  registerTrigger(program);
  registerRuns(program);
  registerLogs(program);
  registerBackfill(program);
  registerClear(program);
  registerMark(program);
  registerPause(program);
  registerStatus(program);
  registerVariables(program);
  registerConnections(program);
  registerFernet(program);
  registerModels(program);
  registerAlerts(program);
  registerImages(program);
  registerStep(program);
  registerUp(program);
  registerDown(program);
  registerCompletion(program);
  attachExamples(program);
  return program;
}
