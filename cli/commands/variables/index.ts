import type { Command } from 'commander';
import { registerGetVariable } from './get';
import { registerSetVariable } from './set';
import { registerVariablesExport } from './export';
import { registerVariablesImport, VARIABLES_HELP } from './import';

export function registerVariables(program: Command): void {
  registerSetVariable(program);
  registerGetVariable(program);
  const variables = program.command('variables').description(VARIABLES_HELP);
  registerVariablesImport(variables);
  registerVariablesExport(variables);
}
