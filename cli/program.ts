import { Command } from 'commander';
import { registerCompile } from './commands/compile';
import { registerValidate } from './commands/validate';
import { packageVersion } from './paths';

/** Registers every command. Each command file is a thin adapter over a library. */
export function buildProgram(): Command {
  const program = new Command('airflow-ml')
    .description('Compile ML pipeline specs into Airflow 3 DAGs and drive Airflow through its REST API v2.')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError();
  registerCompile(program);
  registerValidate(program);
  return program;
}
