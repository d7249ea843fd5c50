import type { Command } from 'commander';
import { getVariable, setVariable } from '../airflow/variables';
import { exportVariablesFile, importVariablesFile } from '../airflow/variables-io';
import {
  clientFromFlags,
  note,
  out,
  withAirflowOptions,
  type AirflowCommandFlags,
} from '../config/cli-options';

export function registerVariables(program: Command): void {
  withAirflowOptions(program.command('set-variable'))
    .description('Create or overwrite an Airflow variable.')
    .argument('<key>')
    .argument('<value>')
    .action(async (key: string, value: string, flags: AirflowCommandFlags) => {
      await setVariable(clientFromFlags(flags), key, value);
      out(`set ${key}`);
    });

  withAirflowOptions(program.command('get-variable'))
    .description("Print an Airflow variable's value.")
    .argument('<key>')
    .action(async (key: string, flags: AirflowCommandFlags) => {
      const v = await getVariable(clientFromFlags(flags), key);
      if (v.value === '***')
        note(`note: Airflow masks the value of "${key}" because its name looks sensitive`);
      out(v.value ?? '');
    });

  const variables = program
    .command('variables')
    .description(
      'Import or export variables as JSON, in the format of `airflow variables import/export`.',
    );
  withAirflowOptions(variables.command('import'))
    .description('Create or overwrite every variable in FILE.')
    .argument('<file>')
    .action(async (file: string, flags: AirflowCommandFlags) => {
      const keys = await importVariablesFile(clientFromFlags(flags), file);
      out(`imported ${keys.length} variable(s): ${keys.join(', ')}`);
    });
  withAirflowOptions(variables.command('export'))
    .description('Write every variable to FILE (mode 0600).')
    .argument('<file>')
    .action(async (file: string, flags: AirflowCommandFlags) => {
      const { exported, masked } = await exportVariablesFile(clientFromFlags(flags), file);
      out(`exported ${exported.length} variable(s) to ${file}`);
      if (masked.length > 0) {
        note(
          `left out ${masked.join(', ')}: Airflow shows their values as "***" (names that look sensitive)`,
        );
      }
    });
}
